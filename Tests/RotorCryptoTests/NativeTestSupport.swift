import Foundation
@testable import RotorCrypto
import RotorOpenPGP

/// What `gpg --decrypt` made of a message, with its status lines.
struct VerifiedDecryption {
    var status: Int32
    var plaintext: [UInt8]
    var statusLines: String

    /// Exit 0, `DECRYPTION_OKAY` and `GOODMDC` (the integrity check passed), no `DECRYPTION_FAILED`.
    var ok: Bool {
        status == 0 && statusLines.contains("[GNUPG:] DECRYPTION_OKAY") && statusLines.contains("[GNUPG:] GOODMDC")
            && !statusLines.contains("DECRYPTION_FAILED")
    }
}

enum NativeSupport {
    /// `gpg --status-fd 2 --decrypt` in `home`, message on stdin.
    static func gpgDecrypt(home: String, _ armored: String) throws -> VerifiedDecryption {
        let result = try GPGCLI.run(home: home, ["--status-fd", "2", "--decrypt"], stdin: Array(armored.utf8))
        return VerifiedDecryption(status: result.status, plaintext: result.stdout, statusLines: result.stderr)
    }

    /// The binary packets of an armored message (armor checked, CRC included).
    static func binary(_ armored: String) -> [UInt8]? {
        OpenPGPMessageArmor.dearmor(armored, begin: OpenPGPMessageArmor.beginMessage, end: OpenPGPMessageArmor.endMessage)
    }

    /// True for the native encryptor's shape: a new-format PKESK first (gpg writes old-format 0x84/0x85).
    static func isNative(_ armored: String) -> Bool {
        binary(armored)?.first == 0xC1
    }

    /// The key ids (16 hex digits) the message's PKESK packets name, in order.
    static func sessionKeyIDs(_ armored: String) throws -> [String] {
        guard let bytes = binary(armored) else { return [] }
        return try OpenPGPPacket.parse(bytes).filter { $0.tag == 1 }.map { packet in
            packet.body.dropFirst().prefix(8).map { String(format: "%02X", $0) }.joined()
        }
    }

    /// `count` fresh homes with one ed25519 + cv25519 key each; the first home also holds the
    /// others' public keys, so it can encrypt to all of them.
    static func homes(_ count: Int) throws -> [(home: TemporaryGPGHome, fingerprint: String)] {
        let homes = try (0..<count).map { index -> (TemporaryGPGHome, String) in
            let (home, _, fingerprint) = try homeWithKey("Recipient\(index)")
            return (home, fingerprint)
        }
        let sender = try GPGContext(homeDirectory: homes[0].0.path)
        for (home, fingerprint) in homes.dropFirst() {
            _ = try sender.importKeys(armored: try GPGContext(homeDirectory: home.path).exportPublicKey(fingerprint: fingerprint))
        }
        return homes
    }

    /// The uppercase fingerprint of the first key `gpg --list-keys --with-colons` shows in `home`.
    static func firstFingerprint(home: String) throws -> String {
        let listing = try GPGCLI.run(home: home, ["--with-colons", "--list-keys"]).stdoutText
        guard let line = listing.split(separator: "\n").first(where: { $0.hasPrefix("fpr:") }) else { return "" }
        return String(line.split(separator: ":", omittingEmptySubsequences: false)[9])
    }
}
