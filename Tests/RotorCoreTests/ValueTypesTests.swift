import Foundation
import Testing
@testable import RotorCore

@Suite("Durations, timestamps, names, armor")
struct ValueTypesTests {
    @Test(arguments: [("30d", 2_592_000), ("24h", 86_400), ("1h30m", 5_400), ("2w", 1_209_600), ("90s", 90), ("0s", 0)])
    func durationsParse(_ text: String, _ seconds: Int64) {
        #expect(RotorDuration(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "30", "d", "30x", "1.5h", "-1d", "h1", "9999999999d"])
    func badDurationsDoNotParse(_ text: String) {
        #expect(RotorDuration(parsing: text) == nil)
    }

    @Test func durationPrintsCanonically() {
        #expect(RotorDuration(parsing: "90m")?.description == "1h30m")
        #expect(RotorDuration(parsing: "2w")?.description == "14d")
    }

    @Test func timestampsRoundTrip() {
        let date = RFC3339.parse("2027-01-05T00:00:00Z")
        #expect(date?.timeIntervalSince1970 == 1_799_107_200)
        #expect(date.map(RFC3339.format) == "2027-01-05T00:00:00Z")
        #expect(RFC3339.parse("2027-01-05T01:00:00+01:00") == date)
        #expect(RFC3339.parse("2024-02-29T12:00:00.5Z") != nil)
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(RFC3339.parse("2027-01-05t00:00:00z") == date)
        #expect(RFC3339.parse("2027-01-04T19:30:00-04:30") == date)
        #expect(RFC3339.parse(String("x2027-01-05T00:00:00Z".dropFirst())) == date)  // from a substring's copy
    }

    @Test(arguments: ["2027-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2027-01-05", "2027-01-05T00:00:00", "tomorrow",
                      "2027-01-05 00:00:00Z", "2027/01/05T00:00:00Z", "2027-01-05T00:00:00+0100", "2027-01-05T00:00:00.Z",
                      "2027-01-05T00:00:00Zx", "2027-01-05T24:00:00Z", "2027-01-05T00:00:00Ż"])
    func badTimestamps(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test(arguments: [("db-password", true), ("a", true), ("a.b_c-d", true), ("..", false), ("a..b", false), ("../x", false),
                      ("A", false), ("-a", false), ("a/b", false), ("", false), ("a.b.c", true), ("a.", true), ("a.b..", false), ("aé", false), ("a b", false), (String(repeating: "a", count: 101), false)])
    func names(_ name: String, _ valid: Bool) {
        #expect(NameRule.isValid(name) == valid)
    }

    @Test func secretIDParsing() {
        #expect(SecretID(parsing: "payments/db")?.description == "payments/db")
        #expect(SecretID(parsing: "payments/../db") == nil)
        #expect(SecretID(parsing: "payments") == nil)
    }

    @Test func fingerprints() {
        #expect(OpenPGPArmor.normalizeFingerprint("0123 4567 89ab cdef 0123  4567 89AB CDEF 0123 4567") == "0123456789ABCDEF0123456789ABCDEF01234567")
        #expect(OpenPGPArmor.normalizeFingerprint("0123456789ABCDEF") == nil)
        #expect(OpenPGPArmor.normalizeFingerprint(String(repeating: "G", count: 40)) == nil)
        #expect(OpenPGPArmor.isNormalizedFingerprint("0123456789ABCDEF0123456789ABCDEF01234567"))
        #expect(OpenPGPArmor.isNormalizedFingerprint(String(repeating: "F", count: 64)))
        #expect(!OpenPGPArmor.isNormalizedFingerprint("0123456789abcdef0123456789ABCDEF01234567"))
        #expect(!OpenPGPArmor.isNormalizedFingerprint("0123456789ABCDEF0123456789ABCDEF0123456"))
        #expect(!OpenPGPArmor.isNormalizedFingerprint("0123 456789ABCDEF0123456789ABCDEF01234567"))
    }

    @Test func armorRejectsPlaintextAndKeys() {
        #expect(!OpenPGPArmor.isEncryptedMessage("hunter2"))
        #expect(!OpenPGPArmor.isEncryptedMessage("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQ==\n-----END PGP PUBLIC KEY BLOCK-----"))
        #expect(!OpenPGPArmor.isEncryptedMessage("-----BEGIN PGP MESSAGE-----\n\nnot base64!\n-----END PGP MESSAGE-----"))
        // A literal-data packet (tag 11) is armored but not encrypted.
        #expect(!OpenPGPArmor.isEncryptedMessage("-----BEGIN PGP MESSAGE-----\n\nywVi\n-----END PGP MESSAGE-----"))
        #expect(OpenPGPArmor.isEncryptedMessage(Fixtures.armored))
    }

    @Test func canonicalVersionFileIsDeterministicAndKeepsArmorBlankLines() {
        let file = VersionFile(secret: Fixtures.db, versions: [Fixtures.version(1, .grace, createdAt: Fixtures.t0, grace: Fixtures.at(24)),
                                                               Fixtures.version(2, .active, createdAt: Fixtures.at(1))])
        let text = file.canonicalText()
        #expect(text == VersionFile(secret: Fixtures.db, versions: file.versions.reversed()).canonicalText())
        #expect(text.contains("    value: |\n      -----BEGIN PGP MESSAGE-----\n\n      hF4D"))
        #expect(text.range(of: "version: 2")!.lowerBound < text.range(of: "version: 1")!.lowerBound)
    }
}

@Suite("Armor decoding edge cases")
struct ArmorEdgeTests {
    func armor(_ body: String, crc: String? = nil) -> String {
        "-----BEGIN PGP MESSAGE-----\n\n\(body)\n" + (crc.map { "=\($0)\n" } ?? "") + "-----END PGP MESSAGE-----\n"
    }

    @Test func acceptsCRLFAndAMatchingChecksum() {
        let bytes: [UInt8] = [0x84, 0x5E, 0x03, 0x00]
        let body = Data(bytes).base64EncodedString()
        let crc = OpenPGPArmor.crc24(bytes)
        let crcText = Data([UInt8(crc >> 16), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]).base64EncodedString()
        #expect(OpenPGPArmor.isEncryptedMessage(armor(body, crc: crcText)))
        #expect(OpenPGPArmor.isEncryptedMessage(armor(body, crc: crcText).replacingOccurrences(of: "\n", with: "\r\n")))
        #expect(!OpenPGPArmor.isEncryptedMessage(armor(body, crc: "AAAA")))
    }

    @Test(arguments: ["hF4D=AAA", "hF4", "hF4DA", "hF4D AAA", "hF4D****", "===="])
    func rejectsMalformedBase64(_ body: String) {
        #expect(!OpenPGPArmor.isEncryptedMessage(armor(body)))
    }
}

@Suite("URLs as shown: credentials redacted")
struct DisplayURLTests {
    @Test(arguments: [
        ("https://user:pw@hooks.example/x", "https://***@hooks.example/x"),
        ("http://token@127.0.0.1:8080", "http://***@127.0.0.1:8080"),
        ("https://x-access-token:ghs_abc@github.com/org/secrets.git", "https://***@github.com/org/secrets.git"),
        // An unencoded "@" in the password: everything up to the last "@" of the authority goes.
        ("https://u:p@ss@host:9/p?q=1", "https://***@host:9/p?q=1"),
        ("https://u:p%40ss@host/", "https://***@host/"),
        // No credentials, or an "@" only after the authority: unchanged.
        ("https://hooks.example/a@b?mail=c@d#e@f", "https://hooks.example/a@b?mail=c@d#e@f"),
        ("http://[::1]:8080/hook", "http://[::1]:8080/hook"),
        ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
        ("ssh://git@github.com/org/repo.git", "ssh://***@github.com/org/repo.git"),
        ("", ""),
    ])
    func credentialsAreReplaced(url: String, shown: String) {
        #expect(DisplayURL.redacted(url) == shown)
    }

    @Test(arguments: [
        ("https://x-access-token:ghs_abc@github.com/org/secrets.git", "https://github.com/org/secrets.git", "x-access-token", "ghs_abc"),
        // Percent-encoded user information is decoded; a raw "@" in the password is lenient, as above.
        ("https://u%40corp:p%40ss%3A1@host:9/p?q=1", "https://host:9/p?q=1", "u@corp", "p@ss:1"),
        ("https://u:p@ss@host/", "https://host/", "u", "p@ss"),
        ("http://user:@127.0.0.1:8080/r.git", "http://127.0.0.1:8080/r.git", "user", ""),
        ("https://u:bad%zz%4@host/", "https://host/", "u", "bad%zz%4"),
        ("ssh://git:pw@[::1]:22/repo.git", "ssh://[::1]:22/repo.git", "git", "pw"),
    ])
    func aPasswordIsTakenOutOfTheURL(url: String, stored: String, user: String, password: String) {
        let (without, credential) = DisplayURL.withoutCredential(url)
        #expect(without == stored)
        #expect(credential == URLCredential(user: user, password: password))
        #expect("\(credential!)" == "\(user):***" && !String(reflecting: credential!).contains(password.isEmpty ? "\u{0}" : password))
    }

    @Test(arguments: ["https://github.com/org/secrets.git", "ssh://git@github.com/org/repo.git", "git@github.com:org/repo.git",
                      "/srv/git/secrets.git", "file:///srv/git/secrets.git", "https://host/a@b:c", ""])
    func aURLWithoutAPasswordIsKept(url: String) {
        let (without, credential) = DisplayURL.withoutCredential(url)
        #expect(without == url && credential == nil)
    }
}
