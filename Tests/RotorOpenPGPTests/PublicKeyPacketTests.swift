import Crypto
import Testing
@testable import RotorOpenPGP

@Suite struct PublicKeyPacketTests {
    @Test func readsGnuPGsExportAndItsFingerprints() throws {
        // Given a key block exported by GnuPG 2.2
        let keys = try PublicKeyPacket.all(in: Fixtures.keyBlock)
        // Then the primary and subkey fingerprints are the ones gpg printed
        #expect(keys.map(\.fingerprintHex) == [Fixtures.primaryFingerprint, Fixtures.subkeyFingerprint])
        #expect(keys.map(\.isSubkey) == [false, true])
        #expect(keys.map(\.algorithm) == [22, 18])
        #expect(keys[1].keyID.map(Fixtures.hex) == "B3DA185C27559616")
        #expect(keys[1].creationTime == 1_795_975_761)
    }

    @Test func loadsTheCV25519SubkeyByFingerprint() throws {
        let recipient = try CV25519Recipient(keyBlock: Fixtures.keyBlock, fingerprint: Fixtures.subkeyFingerprint.lowercased())
        #expect(recipient.fingerprintHex == Fixtures.subkeyFingerprint)
        #expect(Fixtures.hex(recipient.publicKey) == Fixtures.subkeyPoint)
        #expect(recipient.kdf == ECDHKDFParameters(hash: .sha256, keyWrap: .aes128))
        #expect(Fixtures.hex(recipient.keyID) == "B3DA185C27559616")
        // The KDF Param block of RFC 6637 section 8: OID, 18, 03 01 08 07, "Anonymous Sender    ", fingerprint
        let param = recipient.kdfParam
        #expect(param.count == 1 + 10 + 1 + 4 + 20 + 20)
        #expect(Fixtures.hex(Array(param.prefix(16))) == "0A2B06010401975501050112" + "03010807")
        #expect(String(decoding: param[16..<36], as: UTF8.self) == "Anonymous Sender    ")
        #expect(Fixtures.hex(Array(param.suffix(20))) == Fixtures.subkeyFingerprint)
    }

    @Test func refusesWhatItDoesNotImplement() throws {
        // The ed25519 primary key is not an ECDH key
        #expect(throws: OpenPGPError.unsupportedKey(fingerprint: Fixtures.primaryFingerprint, reason: "public-key algorithm 22 is not ECDH (18)")) {
            try CV25519Recipient(keyBlock: Fixtures.keyBlock, fingerprint: Fixtures.primaryFingerprint)
        }
        // An unknown fingerprint is not found
        let unknown = String(repeating: "A", count: 40)
        #expect(throws: OpenPGPError.keyNotFound(fingerprint: unknown)) {
            try CV25519Recipient(keyBlock: Fixtures.keyBlock, fingerprint: unknown)
        }
        // Unsupported KDF parameters route elsewhere instead of guessing
        let point = [UInt8](repeating: 9, count: 32)
        for kdf: [UInt8] in [[3, 1, 2, 7], [3, 1, 8, 3], [3, 2, 8, 7], [4, 1, 8, 7, 0]] {
            let key = try PublicKeyPacket(Fixtures.ecdhSubkeyPacket(publicKey: point, kdf: kdf))
            #expect(throws: OpenPGPError.self) { try CV25519Recipient(key) }
        }
        // A NIST P-256 ECDH key (another OID) is unsupported, not malformed
        var body: [UInt8] = [4, 0, 0, 0, 1, 18, 8, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        body += PacketEncoding.mpi([0x04] + [UInt8](repeating: 7, count: 64)) + [3, 1, 8, 7]
        let nist = try PublicKeyPacket(OpenPGPPacket(tag: 14, offset: 0, body: body[...]))
        let error = #expect(throws: OpenPGPError.self) { try CV25519Recipient(nist) }
        if case .unsupportedKey(_, let reason)? = error {
            #expect(reason.contains("is not Curve25519"))
        } else {
            Issue.record("expected unsupportedKey, got \(String(describing: error))")
        }
    }

    @Test func truncatedMaterialIsMalformed() throws {
        let full = Fixtures.ecdhSubkeyPacket(publicKey: [UInt8](repeating: 9, count: 32))
        for cut in [7, 17, 20, 50, full.body.count - 1] {
            let truncated = OpenPGPPacket(tag: 14, offset: 0, body: full.body.prefix(cut))
            let error = #expect(throws: OpenPGPError.self) { try CV25519Recipient(try PublicKeyPacket(truncated)) }
            if case .malformedPacket? = error {} else { Issue.record("cut \(cut): \(String(describing: error))") }
        }
        #expect(throws: OpenPGPError.self) { try PublicKeyPacket(OpenPGPPacket(tag: 14, offset: 0, body: [4, 0, 0][...])) }
        #expect(throws: OpenPGPError.self) { try PublicKeyPacket(OpenPGPPacket(tag: 13, offset: 0, body: [4, 0, 0, 0, 0, 18][...])) }
    }
}
