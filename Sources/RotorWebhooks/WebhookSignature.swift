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

/// Signs many messages with the same keys: each key's HMAC is set up once (its padded key
/// hashed in) and copied for every message, and the message is hashed in its parts instead
/// of being put together first. What a delivery pass signs thousands of requests with.
public struct WebhookSigner: Sendable {
    /// The keys, the active one first.
    public let keys: [SymmetricKey]
    private let keyed: [KeyedHMACSHA256]

    public init(keys: [SymmetricKey]) {
        self.keys = keys
        keyed = keys.map(KeyedHMACSHA256.init(key:))
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
            for (index, mac) in keyed.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                out.append(contentsOf: "v1,".utf8)
                mac.authenticate(UnsafeRawBufferPointer(prefix), body) { Self.base64($0, to: &out) }
            }
        }
        return out
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding.
    static func base64(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { group |= UInt32(bytes[index + 2]) }
            for position in 0..<4 {
                out.append(position <= count ? alphabet[Int(group >> (18 - 6 * UInt32(position)) & 63)] : UInt8(ascii: "="))
            }
            index += 3
        }
    }
}

/// HMAC-SHA256 (RFC 2104) under one key, with the key's padded blocks hashed in once: each
/// message copies the two keyed SHA-256 states and feeds them raw buffers. (swift-crypto's
/// `HMAC` takes a generic `DataProtocol` per update, whose overhead cost more than hashing a
/// webhook body.) The signature tests check it against `HMAC<SHA256>` for keys of every length.
struct KeyedHMACSHA256: Sendable {
    /// SHA-256 after the key XOR ipad, and after the key XOR opad.
    private let inner: SHA256, outer: SHA256

    init(key: SymmetricKey) {
        // The key as one block: hashed first when longer than a block, zero-padded.
        var block = [UInt8](repeating: 0, count: SHA256.blockByteCount)
        key.withUnsafeBytes { raw in
            if raw.count > SHA256.blockByteCount {
                SHA256.hash(data: raw).withUnsafeBytes { digest in block.withUnsafeMutableBytes { $0.copyMemory(from: digest) } }
            } else {
                block.withUnsafeMutableBytes { $0.copyMemory(from: raw) }
            }
        }
        inner = Self.hasher(block, xor: 0x36)
        outer = Self.hasher(block, xor: 0x5c)
        SecureWipe.wipe(&block)
    }

    /// SHA-256 with `block` XOR `pad` hashed in.
    private static func hasher(_ block: [UInt8], xor pad: UInt8) -> SHA256 {
        var padded = block.map { $0 ^ pad }
        defer { SecureWipe.wipe(&padded) }
        var hasher = SHA256()
        padded.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher
    }

    /// The MAC of the concatenation of `first` and `second`, handed to `use` (and not kept).
    func authenticate(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, _ use: (UnsafeRawBufferPointer) -> Void) {
        var inner = self.inner
        inner.update(bufferPointer: first)
        inner.update(bufferPointer: second)
        var outer = self.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        outer.finalize().withUnsafeBytes(use)
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
        guard var raw = decodeBase64(bytes) else {
            throw WebhookSecretError(secret: secretName, problem: "is not whsec_<base64>: use a base64 generator (policy webhook-signing)")
        }
        defer { SecureWipe.wipe(&raw) }
        guard raw.count >= 16 else {
            throw WebhookSecretError(secret: secretName, problem: "decodes to \(raw.count) bytes; at least 16 are required")
        }
        return SymmetricKey(data: raw)
    }

    /// Standard-alphabet base64 with optional padding; nil on any other character.
    static func decodeBase64(_ input: [UInt8]) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(input.count)
        var padding = 0
        for byte in input {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): guard padding == 0 else { return nil }; values.append(byte - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): guard padding == 0 else { return nil }; values.append(byte - 71)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): guard padding == 0 else { return nil }; values.append(byte + 4)
            case UInt8(ascii: "+"): guard padding == 0 else { return nil }; values.append(62)
            case UInt8(ascii: "/"): guard padding == 0 else { return nil }; values.append(63)
            case UInt8(ascii: "="): padding += 1; guard padding <= 2 else { return nil }
            default: return nil
            }
        }
        guard !values.isEmpty, values.count % 4 != 1 else { return nil }
        defer { SecureWipe.wipe(&values) }
        var output: [UInt8] = []
        output.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            var group: UInt32 = 0
            for (offset, value) in chunk.enumerated() { group |= UInt32(value) << (18 - 6 * offset) }
            let produced = chunk.count - 1
            for offset in 0..<produced { output.append(UInt8(truncatingIfNeeded: group >> (16 - 8 * offset))) }
            index += 4
        }
        return output
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
