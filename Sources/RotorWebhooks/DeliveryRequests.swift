import Foundation
import NIOCore
import NIOHTTP1
import RotorCore
import RotorStore

/// Builds a delivery pass's signed requests: the fields every delivery carries (`content-type`,
/// `user-agent`), then its own `webhook-id`, `webhook-timestamp` and `webhook-signature`, and
/// the body, signed from the very bytes that are sent. Per batch, each service's signing keys
/// are asked for once. (The sender checks each URL once, and every field, before sending.)
struct DeliveryRequests {
    /// The fields every delivery carries, before its own.
    static let fixedFields = [("content-type", "application/json"), ("user-agent", "rotor-webhooks/1")]

    /// What came of building one delivery's request.
    enum Built {
        case request(WebhookRequest)
        /// No signing key: the attempt fails without a request.
        case unsignable(any Error)
        /// The request cannot be made: the attempt fails as a transport error.
        case unsendable(String)
    }

    let keys: any SigningKeyProvider
    /// Each service's signer, kept across batches while the provider gives the same keys.
    private var signers: [String: WebhookSigner] = [:]
    /// This batch's signer per service, or why there is none.
    private var batchSigners: [String: Result<WebhookSigner, any Error>] = [:]
    private var now = Date(timeIntervalSince1970: 0)
    private var timestamp: (value: Int64, text: String) = (0, "0")

    init(keys: any SigningKeyProvider) {
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
        return fields(claimed, signer: signer, tag: tag)
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

    /// The request as header fields and a body, the body signed from the bytes that are sent.
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
}
