import Foundation
import RotorCore
import Synchronization

/// Uniform draws from [0, 1) for backoff jitter: random in production, seeded in tests.
public final class JitterSource: Sendable {
    private let seeded: Bool
    private let generator: Mutex<SplitMix64>

    /// A source seeded with `seed` (the same seed gives the same draws), or the system's random numbers when nil.
    public init(seed: UInt64? = nil) {
        seeded = seed != nil
        generator = Mutex(SplitMix64(seed: seed ?? 0))
    }

    /// The next draw.
    public func next() -> Double {
        guard seeded else { return Double.random(in: 0..<1) }
        return generator.withLock { Double($0.next() >> 11) / Double(1 << 53) }
    }
}
