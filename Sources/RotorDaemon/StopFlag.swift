import Synchronization

/// A one-way "please stop" flag, set by the shutdown handler and read between the steps of a pass.
public final class StopFlag: Sendable {
    private let stopped = Atomic<Bool>(false)

    /// Creates an unset flag.
    public init() {}

    /// Whether a stop was requested.
    public var isSet: Bool { stopped.load(ordering: .acquiring) }

    /// Requests a stop; later steps are skipped, the current one finishes.
    public func set() { stopped.store(true, ordering: .releasing) }
}
