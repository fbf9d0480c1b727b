import Foundation
import Testing
@testable import RotorOpenPGP

@Suite struct ArmorWriterTests {
    /// The bit-by-bit CRC-24 of RFC 4880 section 6.1, as a reference for the table-driven one.
    private func referenceCRC(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xB704CE
        for byte in bytes {
            crc ^= UInt32(byte) << 16
            for _ in 0..<8 {
                crc <<= 1
                if crc & 0x100_0000 != 0 { crc ^= 0x1864CFB }
            }
        }
        return crc & 0xFF_FFFF
    }

    @Test func crc24MatchesTheCheckValueAndTheBitwiseReference() {
        // CRC-24/OPENPGP's published check value for "123456789".
        #expect(OpenPGPArmorWriter.checksum(Array("123456789".utf8)) == 0x21CF02)
        #expect(OpenPGPArmorWriter.checksum([]) == 0xB704CE)
        for length in [1, 2, 3, 63, 64, 65, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
            #expect(OpenPGPArmorWriter.checksum(bytes) == referenceCRC(bytes))
        }
    }

    @Test(arguments: [1, 47, 48, 49, 96, 1000])
    func armorHasGnuPGsShape(length: Int) throws {
        // Given binary data, When it is armored
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
        let text = OpenPGPArmorWriter.message(bytes)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // Then: BEGIN, blank, base64 lines of at most 64 characters, =CRC, END, final newline
        #expect(lines.first == "-----BEGIN PGP MESSAGE-----")
        #expect(lines[1] == "")
        #expect(lines.last == "")
        #expect(lines[lines.count - 2] == "-----END PGP MESSAGE-----")
        let crcLine = lines[lines.count - 3]
        let body = lines[2..<(lines.count - 3)]
        #expect(body.allSatisfy { $0.count <= 64 && !$0.isEmpty })
        #expect(body.dropLast().allSatisfy { $0.count == 64 })
        #expect([UInt8](Data(base64Encoded: body.joined()) ?? Data()) == bytes)
        let crc = [UInt8](Data(base64Encoded: String(crcLine.dropFirst())) ?? Data())
        #expect(crcLine.count == 5 && crc.count == 3)
        #expect(UInt32(crc[0]) << 16 | UInt32(crc[1]) << 8 | UInt32(crc[2]) == referenceCRC(bytes))
    }
}
