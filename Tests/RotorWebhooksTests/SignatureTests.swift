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
        let body = Array("{}".utf8)
        let header = WebhookSignature.header(id: "evt_1", timestamp: 10, body: body, keys: [active, old])
        #expect(header == WebhookSignature.sign(id: "evt_1", timestamp: 10, body: body, key: active) + " "
                + WebhookSignature.sign(id: "evt_1", timestamp: 10, body: body, key: old))
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
