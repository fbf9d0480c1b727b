import Foundation
import NIOCore
import NIOHTTP1
import RotorCore
import RotorStore

/// Builds a delivery pass's signed requests straight into their wire form.
///
/// Per URL, the request line, `host` and the fields every delivery carries (`content-type`,
/// `user-agent`) are checked and written once. Per batch, each service's signing keys are
/// asked for once. Per delivery, only `webhook-id`, `webhook-timestamp`, `webhook-signature`,
/// the length and the body are written, and the body is signed from the bytes it is copied from.
struct DeliveryRequests {
    /// The fields every delivery carries, before its own.
    static let fixedFields = [("content-type", "application/json"), ("user-agent", "rotor-webhooks/1")]

    /// What came of building one delivery's request.
    enum Built {
        case request(WebhookRequest)
        /// No signing key: the attempt fails without a request.
        case unsignable(any Error)
        /// The URL or a field cannot go in a request: the attempt fails as a transport error.
        case unsendable(String)
    }

    /// The hand-written client, whose requests are built in wire form; nil: AsyncHTTPClient's fields.
    let client: WebhookHTTPClient?
    let keys: any SigningKeyProvider
    private var heads: [String: Result<WebhookHTTPClient.RequestHead, WebhookTargetError>] = [:]
    /// Each service's signer, kept across batches while the provider gives the same keys.
    private var signers: [String: WebhookSigner] = [:]
    /// This batch's signer per service, or why there is none.
    private var batchSigners: [String: Result<WebhookSigner, any Error>] = [:]
    private var now = Date(timeIntervalSince1970: 0)
    private var timestamp: (value: Int64, text: String) = (0, "0")

    init(client: WebhookHTTPClient?, keys: any SigningKeyProvider) {
        self.client = client
        self.keys = keys
    }

    /// Starts a batch: keys are asked for again (as of `now`), and its requests carry `timestamp`
    /// in `webhook-timestamp`.
    mutating func startBatch(now: Date, timestamp: Int64) {
        self.now = now
        self.timestamp = (timestamp, String(timestamp))
        batchSigners.removeAll(keepingCapacity: true)
    }

    /// The signed request for a claimed job (`tag` matches its result), or why there is none.
    mutating func build(_ claimed: ClaimedDelivery, tag: Int) -> Built {
        let delivery = claimed.delivery
        let signer: WebhookSigner
        switch self.signer(for: delivery.service) {
        case .success(let found): signer = found
        case .failure(let error): return .unsignable(error)
        }
        guard let client else { return fields(claimed, signer: signer, tag: tag) }
        let head: WebhookHTTPClient.RequestHead
        switch self.head(for: delivery.url, client: client) {
        case .success(let found): head = found
        case .failure(let error): return .unsendable("\(error)")
        }
        var body = claimed.body
        let request: ByteBuffer? = body.withUTF8 { bytes in
            let body = UnsafeRawBufferPointer(bytes)
            let signature = signer.signature(id: delivery.eventID, timestamp: timestamp.value, body: body)
            guard var request = head.start(extraCapacity: delivery.eventID.utf8.count + timestamp.text.utf8.count + signature.count + body.count),
                  WebhookHTTPClient.RequestHead.writeField(name: "webhook-id", value: delivery.eventID, to: &request) else { return nil }
            request.writeStaticString("\r\nwebhook-timestamp: ")
            request.writeString(timestamp.text)
            request.writeStaticString("\r\nwebhook-signature: ")
            request.writeBytes(signature)
            WebhookHTTPClient.RequestHead.end(&request, body: body)
            return request
        }
        guard let request else { return .unsendable(WebhookTargetError.forbiddenCharacter.message) }
        return .request(WebhookRequest(tag: tag, url: delivery.url, content: .serialized(endpoint: head.endpoint, request: request)))
    }

    private mutating func signer(for service: String) -> Result<WebhookSigner, any Error> {
        if let known = batchSigners[service] { return known }
        let found = Result { () throws -> WebhookSigner in
            let signingKeys = try keys.signingKeys(for: service, at: now)
            guard !signingKeys.isEmpty else {
                throw WebhookSecretError(secret: WebhookSigningSecret.secretID(for: service).description,
                                         problem: "does not exist yet: run `rotor apply` to create it")
            }
            if let known = signers[service], known.keys == signingKeys { return known }
            let signer = WebhookSigner(keys: signingKeys)
            signers[service] = signer
            return signer
        }
        batchSigners[service] = found
        return found
    }

    /// The request as header fields and a body for AsyncHTTPClient, the body signed from the
    /// bytes that are sent. (The sender checks the URL and the fields before sending.)
    private func fields(_ claimed: ClaimedDelivery, signer: WebhookSigner, tag: Int) -> Built {
        let delivery = claimed.delivery
        var text = claimed.body
        let (body, signature) = text.withUTF8 { bytes -> (ByteBuffer, [UInt8]) in
            let body = UnsafeRawBufferPointer(bytes)
            return (ByteBuffer(bytes: body), signer.signature(id: delivery.eventID, timestamp: timestamp.value, body: body))
        }
        var headers = HTTPHeaders()
        headers.reserveCapacity(Self.fixedFields.count + 3)
        for (name, value) in Self.fixedFields { headers.add(name: name, value: value) }
        headers.add(name: "webhook-id", value: delivery.eventID)
        headers.add(name: "webhook-timestamp", value: timestamp.text)
        headers.add(name: "webhook-signature", value: String(decoding: signature, as: UTF8.self))
        return .request(WebhookRequest(tag: tag, url: delivery.url, content: .prepared(headers: headers, body: body)))
    }

    private mutating func head(for url: String, client: WebhookHTTPClient) -> Result<WebhookHTTPClient.RequestHead, WebhookTargetError> {
        if let known = heads[url] { return known }
        let head = client.requestHead(url: url, fields: Self.fixedFields)
        heads[url] = head
        return head
    }
}
