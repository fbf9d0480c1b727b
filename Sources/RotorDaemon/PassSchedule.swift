/// When the next pass starts: `interval` after the previous one ended, plus random jitter.
///
/// The jitter only ever adds (up to `jitter × interval`), so passes never come more often than the
/// interval, and several daemons started together drift apart instead of hitting the remote at once.
public struct PassSchedule: Sendable {
    /// The base wait between passes.
    public var interval: Duration
    /// The largest extra wait, as a fraction of `interval` (0.1 = up to 10%).
    public var jitter: Double

    /// Creates a schedule.
    public init(interval: Duration, jitter: Double) {
        self.interval = interval
        self.jitter = max(0, jitter)
    }

    /// The wait before the next pass, drawing the jitter from `generator`.
    public func nextDelay<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        guard jitter > 0 else { return interval }
        let fraction = Double.random(in: 0..<1, using: &generator) * jitter
        return interval + interval * fraction
    }
}
