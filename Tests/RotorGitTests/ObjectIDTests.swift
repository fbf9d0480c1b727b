import Foundation
import Testing
@testable import RotorGit

@Suite struct ObjectIDTests {
    @Test(arguments: ["", "abc", String(repeating: "g", count: 40), String(repeating: "a", count: 41)])
    func rejectsInvalidHex(_ text: String) {
        #expect(ObjectID(hex: text) == nil)
    }

    @Test func normalisesToLowercaseAndShortens() throws {
        let id = try #require(ObjectID(hex: "ABCDEF0123456789ABCDEF0123456789ABCDEF01"))
        #expect(id.hex == "abcdef0123456789abcdef0123456789abcdef01")
        #expect(id.short == "abcdef0")
        #expect(id.description == id.hex)
    }

    @Test func codableAsPlainString() throws {
        let id = try #require(ObjectID(hex: "0123456789abcdef0123456789abcdef01234567"))
        let json = try JSONEncoder().encode([id])
        #expect(String(decoding: json, as: UTF8.self) == "[\"0123456789abcdef0123456789abcdef01234567\"]")
        #expect(try JSONDecoder().decode([ObjectID].self, from: json) == [id])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ObjectID].self, from: Data("[\"xyz\"]".utf8)) }
    }

    @Test func gitOidRoundTrip() throws {
        let id = try #require(ObjectID(hex: "00ff10a0b1c2d3e4f5061728394a5b6c7d8e9faf"))
        #expect(ObjectID(id.oid) == id)
    }
}
