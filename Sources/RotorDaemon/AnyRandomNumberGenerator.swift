/// A type-erased random number generator, so the loop can hold whatever the caller injected.
public struct AnyRandomNumberGenerator: RandomNumberGenerator {
    private var base: any RandomNumberGenerator

    /// Wraps `base`.
    public init(_ base: some RandomNumberGenerator) { self.base = base }

    /// The next 64 random bits from the wrapped generator.
    public mutating func next() -> UInt64 { base.next() }
}
