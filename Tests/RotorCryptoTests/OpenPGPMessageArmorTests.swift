import Foundation
import RotorCore
import Testing
@testable import RotorCrypto

/// Recognizing encrypted messages without gpg.
@Suite struct OpenPGPMessageArmorTests {
    /// Armors `body` as a PGP MESSAGE the way gpg does (64-column lines, CRC-24 line).
    static func armor(_ body: [UInt8], checksum: Bool = true, headers: [String] = []) -> String {
        var lines = ["-----BEGIN PGP MESSAGE-----"] + headers + [""]
        lines.append(Data(body).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed]))
        if checksum {
            let crc = OpenPGPArmor.crc24(body)
            let crcBytes = [UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
            lines.append("=" + Data(crcBytes).base64EncodedString())
        }
        lines.append("-----END PGP MESSAGE-----")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func acceptsRealGPGOutput() throws {
        // Given messages from gpg (public-key and symmetric) and from rotor
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let cli = try GPGCLI.run(home: home.path, ["--trust-model", "always", "--encrypt", "--armor", "-r", fingerprint],
                                 stdin: Array("value".utf8))
        let passphraseFile = home.path + "/test-passphrase"
        try Data("test-only-passphrase".utf8).write(to: URL(fileURLWithPath: passphraseFile))
        let symmetric = try GPGCLI.run(home: home.path, ["--symmetric", "--armor", "--pinentry-mode", "loopback",
                                                         "--passphrase-file", passphraseFile], stdin: Array("value".utf8))
        let rotor = try context.encrypt(SecretBytes(Array("value".utf8)), to: [fingerprint])
        // Then all are encrypted messages, also with CRLF line ends, extra headers or no checksum line
        for message in [cli.stdoutText, symmetric.stdoutText, rotor] {
            #expect(OpenPGPMessageArmor.isEncryptedMessage(message))
            #expect(OpenPGPMessageArmor.isEncryptedMessage(message.replacingOccurrences(of: "\n", with: "\r\n")))
            #expect(OpenPGPMessageArmor.isEncryptedMessage("\n  \n" + message + "\n\n"))
            let body = try #require(OpenPGPMessageArmor.dearmor(message, begin: OpenPGPMessageArmor.beginMessage, end: OpenPGPMessageArmor.endMessage))
            #expect(OpenPGPMessageArmor.isEncryptedMessage(Self.armor(body, checksum: false)))
            #expect(OpenPGPMessageArmor.isEncryptedMessage(Self.armor(body, headers: ["Version: GnuPG v2", "Comment: rotor"])))
        }
        #expect(symmetric.stdout.count > 0)
    }

    @Test func acceptsNewAndOldPacketFormats() {
        let pkesk: [UInt8] = [0x03] + [UInt8](repeating: 0xAA, count: 8) + [0x12, 0x00]
        let seipd: [UInt8] = [0x01, 0x42, 0x42]
        let newFormat = [0xC1, UInt8(pkesk.count)] + pkesk + [0xD2, UInt8(seipd.count)] + seipd
        let oldFormat4 = [0x86, 0, 0, 0, UInt8(pkesk.count)] + pkesk + [0xC3, 0x02, 0x04, 0x07] + [0xA4, UInt8(seipd.count)] + seipd  // PKESK, SKESK (new), SED (old)
        let newFormat5 = [0xC1, 0xFF, 0, 0, 0, UInt8(pkesk.count)] + pkesk + [0xD2, 0xE1, 0x00, 0x00]  // partial body data packet
        for body in [newFormat, oldFormat4, newFormat5] {
            #expect(OpenPGPMessageArmor.isEncryptedMessage(Self.armor(body)))
        }
    }

    @Test func rejectsEverythingElse() throws {
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let valid = try context.encrypt(SecretBytes(Array("value".utf8)), to: [fingerprint])
        let publicKey = try context.exportPublicKey(fingerprint: fingerprint)
        let signed = try GPGCLI.run(home: home.path, ["--sign", "--armor", "-u", fingerprint], stdin: Array("x".utf8)).stdoutText
        let clearsigned = try GPGCLI.run(home: home.path, ["--clearsign", "-u", fingerprint], stdin: Array("x".utf8)).stdoutText
        let body = try #require(OpenPGPMessageArmor.dearmor(valid, begin: OpenPGPMessageArmor.beginMessage, end: OpenPGPMessageArmor.endMessage))

        var lines = valid.split(separator: "\n").map(String.init)
        let crcIndex = try #require(lines.firstIndex { $0.hasPrefix("=") && $0.count == 5 })
        var badCRC = lines
        badCRC[crcIndex] = lines[crcIndex] == "=AAAA" ? "=AAAB" : "=AAAA"
        lines[2] = "*" + lines[2].dropFirst()
        let brokenBase64 = lines.joined(separator: "\n")

        let pkeskOnly = Array(body.prefix(Int(body[1]) + 2))  // first packet (old format, 1-byte length) only
        #expect(body[0] == 0x84)  // old format, tag 1, one-byte length

        let rejected: [(String, String)] = [
            ("empty", ""),
            ("plaintext", "hunter2"),
            ("public key block", publicKey),
            ("signed-only message", signed),
            ("clearsigned message", clearsigned),
            ("broken base64", brokenBase64),
            ("bad CRC", badCRC.joined(separator: "\n")),
            ("session key without data", Self.armor(pkeskOnly)),
            ("literal data packet", Self.armor([0xCB, 0x03, 0x62, 0x00, 0x41])),
            ("text after END", valid + "trailing\n"),
            ("text before BEGIN", "note\n" + valid),
            ("two messages", valid + valid),
            ("empty body", "-----BEGIN PGP MESSAGE-----\n\n-----END PGP MESSAGE-----\n"),
            ("wrong label", valid.replacingOccurrences(of: "PGP MESSAGE", with: "PGP SIGNATURE")),
            ("blank line inside body", valid.replacingOccurrences(of: "\n=", with: "\n\n=")),
        ]
        for (name, text) in rejected {
            #expect(!OpenPGPMessageArmor.isEncryptedMessage(text), "\(name) should be rejected")
        }
        #expect(signed.hasPrefix("-----BEGIN PGP MESSAGE-----"))
    }

    @Test(arguments: [
        ("0123456789ABCDEF0123456789ABCDEF01234567", "0123456789ABCDEF0123456789ABCDEF01234567"),
        ("0123 4567 89ab cdef 0123  4567 89AB CDEF 0123 4567", "0123456789ABCDEF0123456789ABCDEF01234567"),
        ("\t0123456789abcdef0123456789abcdef01234567 ", "0123456789ABCDEF0123456789ABCDEF01234567"),
        (String(repeating: "a", count: 64), String(repeating: "A", count: 64)),
    ])
    func normalizesFingerprints(input: String, expected: String) {
        #expect(OpenPGPMessageArmor.normalizeFingerprint(input) == expected)
    }

    @Test(arguments: [
        "",
        "0123456789ABCDEF",                                   // long key id, not a fingerprint
        "0123456789ABCDEF0123456789ABCDEF0123456",            // 39
        "0123456789ABCDEF0123456789ABCDEF012345678",          // 41
        "0123456789ABCDEF0123456789ABCDEF0123456G",           // non-hex
        "0x0123456789ABCDEF0123456789ABCDEF012345",
        "alice@example.org",
        "０123456789ABCDEF0123456789ABCDEF01234567",          // full-width digit
    ])
    func rejectsNonFingerprints(input: String) {
        #expect(OpenPGPMessageArmor.normalizeFingerprint(input) == nil)
    }

    @Test func crc24MatchesTheRFCConstant() {
        // RFC 4880: the CRC of no data is the init value.
        #expect(OpenPGPArmor.crc24([]) == 0xB704CE)
        #expect(Base64.decode(Array("QQ==".utf8)) == [0x41])
        #expect(Base64.decode(Array("QR==".utf8)) == nil)  // non-canonical padding bits
        #expect(Base64.decode(Array("Q===".utf8)) == nil)
        #expect(Base64.decode(Array("Q=Q=".utf8)) == nil)
        #expect(Base64.decode(Array("QUI=".utf8)) == [0x41, 0x42])
        #expect(Base64.decode(Array("QUJ=".utf8)) == nil)  // non-canonical padding bits
    }
}
