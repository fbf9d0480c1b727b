import Foundation
import Synchronization

/// Uniform draws from [0, 1) for backoff jitter: random in production, seeded in tests.
public final class JitterSource: Sendable {
    private let state: Mutex<UInt64>
    private let seeded: Bool

    /// A source seeded with `seed` (the same seed gives the same draws), or the system's random numbers when nil.
    public init(seed: UInt64? = nil) {
        state = Mutex(seed ?? 0)
        seeded = seed != nil
    }

    /// The next draw.
    public func next() -> Double {
        guard seeded else { return Double.random(in: 0..<1) }
        // SplitMix64: small, fast, and good enough to spread retries.
        let z0 = state.withLock { state in
            state &+= 0x9E37_79B9_7F4A_7C15
            return state
        }
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
