import Crypto
import Foundation
import Testing
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

    /// The signer's own HMAC against swift-crypto's, for keys shorter than, as long as, and longer
    /// than SHA-256's block (64 bytes), and messages in two parts of every split.
    @Test func keyedHMACMatchesCryptosHMACForEveryKeyLength() {
        var generator = SystemRandomNumberGenerator()
        let message = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for keyLength in [1, 16, 31, 32, 63, 64, 65, 100, 128, 200] {
            let key = SymmetricKey(data: (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let keyed = KeyedHMACSHA256(key: key)
            let reference = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
            for split in [0, 1, 37, 64, 299, 300] {
                var mac: [UInt8] = []
                message[..<split].withUnsafeBytes { first in
                    message[split...].withUnsafeBytes { second in keyed.authenticate(first, second) { mac = Array($0) } }
                }
                #expect(mac == reference, "key of \(keyLength) bytes, split at \(split)")
            }
        }
    }

    @Test func base64MatchesFoundationAtEveryLength() {
        var generator = SystemRandomNumberGenerator()
        for count in 0...40 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var out: [UInt8] = []
            bytes.withUnsafeBytes { WebhookSigner.base64($0, to: &out) }
            #expect(String(decoding: out, as: UTF8.self) == Data(bytes).base64EncodedString())
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
