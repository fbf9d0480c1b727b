import Foundation
import Testing
@testable import RotorStore

@Suite("Delivery payloads read in Swift, as Foundation and SQLite read them")
struct FlatJSONObjectTests {
    @Test func escapesSurrogatePairsAndWhiteSpaceAreRead() throws {
        let text = #" { "a" : "x\"y\\z\/\b\f\n\r\t" , "é\u00e9" : "\ud83d\ude00 \u0041" }  "#
        let fields = try #require(FlatJSONObject.strings(text))
        #expect(fields.map(\.key) == ["a", "éé"])
        #expect(fields.map(\.value) == ["x\"y\\z/\u{08}\u{0C}\n\r\t", "😀 A"])
        #expect(FlatJSONObject.strings("{}")?.isEmpty == true)
    }

    @Test func anythingButAnObjectOfStringsIsLeftToFoundation() {
        for text in ["", "{", "{\"a\":1}", "{\"a\":\"b\",}", "{\"a\":\"b\"} x", "[\"a\"]", "{\"a\":\"b\"", "{\"a\":\"\u{01}\"}",
                     "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\u12\"}", "{a:\"b\"}", "{\"a\":{\"b\":\"c\"}}"] {
            #expect(FlatJSONObject.strings(text) == nil, "\(text)")
        }
    }

    @Test func randomObjectsReadAsFoundationReadsThem() throws {
        // Random keys and values over ASCII, control characters, quotes, backslashes and
        // non-BMP scalars, written by Foundation (escaping slashes or not) and read back both ways.
        var generator = SystemRandomNumberGenerator()
        let pool: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "é", "€", "😀", "{", "}", ":", ","]
        for round in 0..<500 {
            let count = Int.random(in: 0...6, using: &generator)
            var object: [String: String] = [:]
            for _ in 0..<count {
                let key = String((0..<Int.random(in: 0...8, using: &generator)).map { _ in pool.randomElement(using: &generator)! })
                object[key] = String((0..<Int.random(in: 0...24, using: &generator)).map { _ in pool.randomElement(using: &generator)! })
            }
            let options: JSONSerialization.WritingOptions = round.isMultiple(of: 2) ? [.withoutEscapingSlashes] : []
            let text = String(decoding: try JSONSerialization.data(withJSONObject: object, options: options), as: UTF8.self)
            let fields = try #require(FlatJSONObject.strings(text), "\(text)")
            #expect(Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }) == object, "\(text)")
        }
    }

    @Test func aPayloadIsItsFiveFieldsWhateverElseItHolds() {
        let payload = DeliveryPayload(eventID: "evt_1", eventType: "secret.rotated", secretID: "p/s", service: "api", url: "http://127.0.0.1:9/a")
        let text = #"{"event_id":"evt_1","event_type":"secret.rotated","secret_id":"p\/s","service":"api","url":"http:\/\/127.0.0.1:9\/a"}"#
        #expect(DeliveryPayload.read(text) == payload)
        // Extra fields, even ones that are not strings (Foundation reads those), are ignored.
        #expect(DeliveryPayload.read(#"{"extra":"x","event_id":"evt_1","event_type":"secret.rotated","secret_id":"p/s","service":"api","url":"http://127.0.0.1:9/a"}"#) == payload)
        #expect(DeliveryPayload.read(#"{"n":1,"event_id":"evt_1","event_type":"secret.rotated","secret_id":"p/s","service":"api","url":"http://127.0.0.1:9/a"}"#) == payload)
        // A key written with escapes is the same key; the first of a repeated key wins (as SQLite reads it).
        #expect(DeliveryPayload.read(#"{"event_id":"evt_1","event_type":"secret.rotated","secret_id":"p/s","service":"api","ur\u006c":"http://127.0.0.1:9/a","url":"http://x/"}"#) == payload)
        // A missing field, or one that is not a string, makes the payload unreadable.
        #expect(DeliveryPayload.read(#"{"event_id":"evt_1","event_type":"secret.rotated","secret_id":"p/s","service":"api"}"#) == nil)
        #expect(DeliveryPayload.read(#"{"event_id":"evt_1","event_type":"secret.rotated","secret_id":"p/s","service":"api","url":7}"#) == nil)
        #expect(DeliveryPayload.read("{not json") == nil)
    }
}
