import Crypto
import CryptoExtras
import Foundation
@testable import RotorOpenPGP

/// An independent reader of the messages rotor writes, for fast self-consistency tests.
///
/// It walks the packets, finds the PKESK for `keyID`, redoes the X25519 agreement with the
/// recipient's private key, the RFC 6637 KDF, AES key unwrap, checks the checksum and padding,
/// decrypts the SEIPD with AES-CFB, checks the quick-check bytes and the MDC, and returns the
/// literal data. The real authority is gpg (RotorCryptoTests); this catches mistakes in seconds.
enum TestDecryptor {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func decrypt(_ message: [UInt8], privateKey: Curve25519.KeyAgreement.PrivateKey,
                        recipient: CV25519Recipient) throws -> [UInt8] {
        let packets = try parseAny(message)
        guard let last = packets.last, last.tag == 18 else { throw Failure(description: "last packet is not SEIPD") }
        let sessionKeys = packets.dropLast()
        guard !sessionKeys.isEmpty, sessionKeys.allSatisfy({ $0.tag == 1 }) else { throw Failure(description: "expected PKESK packets first") }
        guard let mine = sessionKeys.first(where: { Array($0.body.dropFirst().prefix(8)) == recipient.keyID }) else {
            throw Failure(description: "no PKESK for this key id")
        }
        let body = Array(mine.body)
        guard body[0] == 3, body[9] == 18, body[10] == 0x01, body[11] == 0x07, body[12] == 0x40 else {
            throw Failure(description: "unexpected PKESK header \(Array(body.prefix(13)))")
        }
        let ephemeral = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: body[13..<45])
        let wrappedLength = Int(body[45])
        guard body.count == 46 + wrappedLength else { throw Failure(description: "PKESK length mismatch") }
        let shared = try privateKey.sharedSecretFromKeyAgreement(with: ephemeral)
        let kek = shared.withUnsafeBytes { recipient.kdf.deriveKEK(sharedSecret: $0, param: recipient.kdfParam) }
        let frame = try AES.KeyWrap.unwrap(body[46...], using: kek).withUnsafeBytes { Array($0) }
        let pad = Int(frame.last ?? 0)
        guard pad >= 1, pad <= 8, frame.suffix(pad).allSatisfy({ Int($0) == pad }) else { throw Failure(description: "bad PKCS#5 padding") }
        let framed = frame.dropLast(pad)
        guard framed.count == 35, framed.first == 9 else { throw Failure(description: "expected AES-256 session key") }
        let key = Array(framed.dropFirst().prefix(32))
        let checksum = key.reduce(UInt16(0)) { $0 &+ UInt16($1) }
        guard framed.suffix(2).elementsEqual([UInt8(checksum >> 8), UInt8(checksum & 0xFF)]) else { throw Failure(description: "bad checksum") }

        let seipd = Array(last.body)
        guard seipd.first == 1 else { throw Failure(description: "SEIPD version \(seipd.first ?? 0)") }
        let plain = [UInt8](try AES._CFB.decrypt(seipd.dropFirst(), using: SymmetricKey(data: key), iv: AES._CFB.IV(ivBytes: [UInt8](repeating: 0, count: 16))))
        guard plain.count >= 18 + 22, plain[14] == plain[16], plain[15] == plain[17] else { throw Failure(description: "quick check failed") }
        let mdcStart = plain.count - 22
        guard plain[mdcStart] == 0xD3, plain[mdcStart + 1] == 0x14 else { throw Failure(description: "no MDC packet") }
        guard Array(Insecure.SHA1.hash(data: plain[0..<(mdcStart + 2)])) == Array(plain[(mdcStart + 2)...]) else {
            throw Failure(description: "MDC mismatch")
        }
        let inner = try parseAny(Array(plain[18..<mdcStart]))
        guard inner.count == 1, inner[0].tag == 11 else { throw Failure(description: "expected one literal packet") }
        let literal = Array(inner[0].body)
        guard literal.count >= 6, literal[0] == UInt8(ascii: "b"), literal[1] == 0 else { throw Failure(description: "literal header") }
        return Array(literal[6...])
    }

    /// Packets of a message (the production parser refuses nothing our writer emits).
    static func parseAny(_ bytes: [UInt8]) throws -> [OpenPGPPacket] {
        try OpenPGPPacket.parse(bytes)
    }
}
