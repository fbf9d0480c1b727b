/// Who claimed a running job: a process on a host. Stored as `host:pid`.
public struct JobOwner: Hashable, Sendable, CustomStringConvertible {
    /// The host name.
    public var host: String
    /// The process id on that host.
    public var pid: Int32

    /// Creates an owner.
    public init(host: String, pid: Int32) {
        self.host = host
        self.pid = pid
    }

    /// Parses `host:pid`; nil for anything else.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let pid = Int32(text[text.index(after: colon)...]) else { return nil }
        self.init(host: String(text[..<colon]), pid: pid)
    }

    /// `host:pid`.
    public var description: String { "\(host):\(pid)" }
}
