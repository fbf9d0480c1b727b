import Testing
@testable import RotorOpenPGP

@Suite struct PacketEncodingTests {
    @Test(arguments: [
        (0, [0x00]), (191, [0xBF]), (192, [0xC0, 0x00]), (193, [0xC0, 0x01]), (8383, [0xDF, 0xFF]),
        (8384, [0xFF, 0x00, 0x00, 0x20, 0xC0]), (65_536, [0xFF, 0x00, 0x01, 0x00, 0x00]),
    ] as [(Int, [UInt8])])
    func newFormatLengths(length: Int, octets: [UInt8]) throws {
        // Given a body length, When it is encoded, Then it uses RFC 4880 section 4.2.2's form
        #expect(PacketEncoding.lengthOctets(length) == octets)
        // And the reader gets the same length back
        let packet = PacketEncoding.header(tag: 11, length: length) + [UInt8](repeating: 0xAB, count: length)
        let parsed = try OpenPGPPacket.parse(packet)
        #expect(parsed.count == 1)
        #expect(parsed.first?.tag == 11)
        #expect(parsed.first?.body.count == length)
    }

    @Test func mpiCountsBitsWithoutLeadingZeros() {
        #expect(PacketEncoding.mpi([0x40] + [UInt8](repeating: 1, count: 32)).prefix(2) == [0x01, 0x07])  // 263 bits
        #expect(PacketEncoding.mpi([0x00, 0x01]) == [0x00, 0x01, 0x01])
        #expect(PacketEncoding.mpi([0xFF]) == [0x00, 0x08, 0xFF])
        #expect(PacketEncoding.mpi([]) == [0, 0])
    }

    @Test func readerRefusesBrokenFraming() {
        // Partial lengths, indeterminate lengths, non-headers and truncated bodies are all errors.
        for (bytes, reason) in [([0xCB, 0xE1, 0x00], "partial"), ([0xAF, 0x00], "indeterminate"),
                                ([0x01, 0x02], "not a packet header"), ([0xCB, 0x05, 0x01], "runs past"),
                                ([0xCB, 0xFF, 0x00], "truncated")] as [([UInt8], String)] {
            let error = #expect(throws: OpenPGPError.self) { try OpenPGPPacket.parse(bytes) }
            guard case let .malformedPacket(offset, message)? = error else {
                Issue.record("expected malformedPacket for \(bytes), got \(String(describing: error))")
                continue
            }
            #expect(offset == 0)
            #expect(message.contains(reason), "\(message)")
        }
    }
}
