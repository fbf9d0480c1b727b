import Crypto
import Foundation
import RotorCore

/// Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
///
/// With several keys (a signing secret in its grace period) the header carries one
/// signature per key, space-separated, the active key's first; receivers accept a
/// delivery when any signature matches a secret they hold.
public enum WebhookSignature {
    /// The signature of one message under one key.
    public static func sign(id: String, timestamp: Int64, body: [UInt8], key: SymmetricKey) -> String {
        WebhookSigner(keys: [key]).header(id: id, timestamp: timestamp, body: body)
    }

    /// The `webhook-signature` header value: every key's signature, space-separated.
    public static func header(id: String, timestamp: Int64, body: [UInt8], keys: [SymmetricKey]) -> String {
        WebhookSigner(keys: keys).header(id: id, timestamp: timestamp, body: body)
    }
}

/// Signs many messages with the same keys: each key's `HMAC<SHA256>` is keyed once and copied
/// for every message (its key blocks are not hashed again), and the message is fed in its
/// parts instead of being put together first. What a delivery pass signs thousands of requests with.
public struct WebhookSigner: Sendable {
    /// The keys, the active one first.
    public let keys: [SymmetricKey]
    private let keyed: [HMAC<SHA256>]

    public init(keys: [SymmetricKey]) {
        self.keys = keys
        keyed = keys.map { HMAC<SHA256>(key: $0) }
    }

    /// The `webhook-signature` header value: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
    /// for every key, space-separated.
    public func header(id: String, timestamp: Int64, body: [UInt8]) -> String {
        String(decoding: body.withUnsafeBytes { signature(id: id, timestamp: timestamp, body: $0) }, as: UTF8.self)
    }

    /// The header value's bytes, for a body that is wherever the caller holds it.
    func signature(id: String, timestamp: Int64, body: UnsafeRawBufferPointer) -> [UInt8] {
        var prefix = id + "." + String(timestamp) + "."
        var out: [UInt8] = []
        out.reserveCapacity(keyed.count * 48)
        prefix.withUTF8 { prefix in
            for (index, keyedMAC) in keyed.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                out.append(contentsOf: "v1,".utf8)
                var mac = keyedMAC
                mac.update(data: UnsafeRawBufferPointer(prefix))
                mac.update(data: body)
                mac.finalize().withUnsafeBytes { Base64.encode($0, into: &out) }
            }
        }
        return out
    }
}

/// A signing secret in the Standard Webhooks form `whsec_<base64 of the raw key>`.
public enum WebhookSecret {
    /// The prefix of the secret's text form.
    public static let prefix = "whsec_"

    /// The HMAC key: the raw bytes behind `whsec_<base64>` (the prefix is optional, padding too).
    ///
    /// - Throws: ``WebhookSecretError`` naming `secretName` (never the value) when the text is
    ///   not base64 or decodes to fewer than 16 bytes.
    public static func key(fromText text: UnsafeRawBufferPointer, secretName: String) throws -> SymmetricKey {
        var bytes = Array(text)
        defer { SecureWipe.wipe(&bytes) }
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        let prefixBytes = Array(prefix.utf8)
        if bytes.starts(with: prefixBytes) { bytes.removeFirst(prefixBytes.count) }
        guard var raw = Base64.decodeUnpadded(bytes) else {
            throw WebhookSecretError(secret: secretName, problem: "is not whsec_<base64>: use a base64 generator (policy webhook-signing)")
        }
        defer { SecureWipe.wipe(&raw) }
        guard raw.count >= 16 else {
            throw WebhookSecretError(secret: secretName, problem: "decodes to \(raw.count) bytes; at least 16 are required")
        }
        return SymmetricKey(data: raw)
    }
}

/// A signing secret that cannot be used as an HMAC key. Names the secret, never its value.
public struct WebhookSecretError: Error, CustomStringConvertible, Sendable {
    /// The secret, as `webhooks/<service>`.
    public let secret: String
    /// What is wrong with it.
    public let problem: String

    public var description: String { "signing secret \(secret) \(problem)" }
}
