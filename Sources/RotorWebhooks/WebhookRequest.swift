import NIOCore
import NIOHTTP1

/// One request for a ``WebhookSendQueue``, and the caller's tag to match its result.
public struct WebhookRequest: Sendable {
    public var tag: Int
    public var url: String
    let content: Content

    /// What is sent.
    enum Content: Sendable {
        case fields(headers: [(String, String)], body: [UInt8])
        /// Header fields and a body as AsyncHTTPClient takes them (what a delivery pass builds).
        case prepared(headers: HTTPHeaders, body: ByteBuffer)
    }

    public init(tag: Int, url: String, headers: [(String, String)], body: [UInt8]) {
        self.init(tag: tag, url: url, content: .fields(headers: headers, body: body))
    }

    init(tag: Int, url: String, content: Content) {
        self.tag = tag
        self.url = url
        self.content = content
    }
}

/// What came of a request handed to a ``WebhookSendQueue``.
public enum WebhookSendResult: Sendable {
    /// It was sent: the outcome, how long it took, and whether the deadline cut its timeout short.
    case finished(tag: Int, outcome: AttemptOutcome, seconds: Double, cutByDeadline: Bool)
    /// It never started: the deadline came first, its endpoint answered 410 Gone, or the queue was cancelled.
    case notStarted(tag: Int)
}
