/// A type-erased random number generator, so the loop can hold whatever the caller injected.
public struct AnyRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private var base: any RandomNumberGenerator & Sendable

    /// Wraps `base`.
    public init(_ base: some RandomNumberGenerator & Sendable) { self.base = base }

    /// The next 64 random bits from the wrapped generator.
    public mutating func next() -> UInt64 { base.next() }
}
