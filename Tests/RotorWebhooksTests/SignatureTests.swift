import Crypto
import Foundation
import Testing
import RotorCore
@testable import RotorWebhooks

@Suite("Standard Webhooks signatures")
struct SignatureTests {
    static func key(_ text: String, name: String = "example") throws -> SymmetricKey {
        try Array(text.utf8).withUnsafeBytes { try WebhookSecret.key(fromText: $0, secretName: name) }
    }

    /// The example from the Standard Webhooks specification (also what the PyPI `standardwebhooks` package computes).
    @Test func matchesTheSpecificationsExample() throws {
        let key = try Self.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = WebhookSignature.sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                              body: Array(#"{"test": 2432232314}"#.utf8), key: key)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func severalKeysGiveSpaceSeparatedSignaturesActiveFirst() {
        let active = SymmetricKey(size: .bits256), old = SymmetricKey(size: .bits256)
        // The reference: Crypto's one-shot HMAC of the assembled message, Foundation's base64.
        func reference(_ id: String, _ timestamp: Int64, _ body: [UInt8], _ key: SymmetricKey) -> String {
            let mac = HMAC<SHA256>.authenticationCode(for: Array("\(id).\(timestamp).".utf8) + body, using: key)
            return "v1," + Data(mac).base64EncodedString()
        }
        // One signer, many messages: its keyed HMACs are copied, never used up.
        let signer = WebhookSigner(keys: [active, old])
        for (id, timestamp, body) in [("evt_1", Int64(10), Array("{}".utf8)), ("evt_2", 1_700_000_000, Array(repeating: 0x41, count: 1_000)), ("e", 0, [])] {
            let header = signer.header(id: id, timestamp: timestamp, body: body)
            #expect(header == reference(id, timestamp, body, active) + " " + reference(id, timestamp, body, old))
            #expect(WebhookSignature.header(id: id, timestamp: timestamp, body: body, keys: [active, old]) == header)
        }
    }

    /// The signer (one keyed HMAC copied per message, fed in parts) against swift-crypto's
    /// one-shot HMAC of the whole message, for keys shorter than, as long as, and longer than
    /// SHA-256's block (64 bytes), signing many messages with the same signer.
    @Test func theSignerMatchesAOneShotHMACForEveryKeyLength() {
        var generator = SystemRandomNumberGenerator()
        for keyLength in [1, 16, 31, 32, 63, 64, 65, 100, 128, 200] {
            let key = SymmetricKey(data: (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let signer = WebhookSigner(keys: [key])
            for length in [0, 1, 37, 64, 300] {
                let body = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let reference = Data(HMAC<SHA256>.authenticationCode(for: Array("evt_\(length).1800000000.".utf8) + body, using: key))
                #expect(signer.header(id: "evt_\(length)", timestamp: 1_800_000_000, body: body) == "v1," + reference.base64EncodedString(),
                        "key of \(keyLength) bytes, body of \(length)")
            }
        }
    }

    /// rotor's one base64 codec against Foundation's, both ways, at every length.
    @Test func base64MatchesFoundationAtEveryLength() {
        var generator = SystemRandomNumberGenerator()
        for count in 0...40 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64.encode(bytes)
            #expect(String(decoding: encoded, as: UTF8.self) == Data(bytes).base64EncodedString())
            #expect(Base64.decode(encoded) == bytes)
            #expect(Base64.decodeUnpadded(encoded.filter { $0 != UInt8(ascii: "=") }) == bytes)
        }
    }

    @Test(arguments: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"])
    func secretTextFormsGiveTheSameKey(_ text: String) throws {
        let key = try Self.key(text)
        let reference = try Self.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(key == reference)
        #expect(key.bitCount == 24 * 8)
    }

    @Test(arguments: ["not base64!", "whsec_", "whsec_QUJD"])
    func unusableSecretsAreRejectedWithoutRepeatingThem(_ text: String) {
        #expect {
            try Self.key(text, name: "webhooks/billing-api v1")
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("signing secret webhooks/billing-api v1 ") && (text.count < 7 || !message.contains(text))
        }
    }
}
