import Foundation

/// A one-way "please stop" flag, set by the shutdown handler and read between the steps of a pass.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false

    /// Creates an unset flag.
    public init() {}

    /// Whether a stop was requested.
    public var isSet: Bool { lock.withLock { stopped } }

    /// Requests a stop; later steps are skipped, the current one finishes.
    public func set() { lock.withLock { stopped = true } }
}
