import Crypto
import CryptoExtras
import Foundation

/// Builds a Symmetrically Encrypted Integrity Protected Data packet, version 1 (tag 18,
/// RFC 4880 section 5.13), holding one literal data packet (tag 11) and the MDC (tag 19).
///
/// The encrypted stream is `prefix(16 random bytes) || prefix[14..<16] || literal packet ||
/// 0xD3 0x14 || SHA-1(everything before the SHA-1)`, encrypted with AES in plain CFB mode
/// with a zero IV (no OpenPGP CFB resynchronisation for tag 18). This is the packet GnuPG 2.2
/// reads; RFC 9580's version 2 (AEAD) packets are not used.
enum IntegrityProtectedDataPacket {
    /// The literal data packet's fixed fields: format `b` (binary), empty file name, date 0.
    static let literalPrefix: [UInt8] = [UInt8(ascii: "b"), 0, 0, 0, 0, 0]
    /// Random prefix plus its two repeated bytes.
    static let prefixLength = 18
    /// The MDC packet: header `0xD3 0x14` and a 20-byte SHA-1.
    static let mdcLength = 22
    /// The largest plaintext that still fits definite five-octet lengths.
    static let maximumPlaintext = PacketEncoding.maximumBodyLength - 1 - prefixLength - 6 - 6 - mdcLength

    /// The complete packet (header included).
    ///
    /// - Parameters:
    ///   - plaintext: The value; copied only into a scratch buffer that is wiped afterwards.
    ///   - sessionKey: An AES key (128, 192 or 256 bits).
    /// - Throws: `OpenPGPError.messageTooLarge`, or `.cryptoFailure` if AES-CFB fails.
    static func make(_ plaintext: UnsafeRawBufferPointer, sessionKey: SymmetricKey) throws -> [UInt8] {
        guard plaintext.count <= maximumPlaintext else { throw OpenPGPError.messageTooLarge(bytes: plaintext.count) }
        let literalBodyLength = literalPrefix.count + plaintext.count
        let literalHeader = PacketEncoding.header(tag: 11, length: literalBodyLength)
        let streamLength = prefixLength + literalHeader.count + literalBodyLength + mdcLength
        let ciphertext: Data = try ScratchBuffer.with(count: streamLength) { stream in
            var generator = SystemRandomNumberGenerator()
            for index in 0..<16 { stream[index] = generator.next() }
            stream[16] = stream[14]
            stream[17] = stream[15]
            var position = prefixLength
            for byte in literalHeader + literalPrefix {
                stream[position] = byte
                position += 1
            }
            if let source = plaintext.baseAddress, !plaintext.isEmpty, let target = stream.baseAddress {
                (target + position).copyMemory(from: source, byteCount: plaintext.count)
            }
            position += plaintext.count
            stream[position] = 0xD3
            stream[position + 1] = 0x14
            position += 2
            var hasher = Insecure.SHA1()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: stream[0..<position]))
            for (offset, byte) in hasher.finalize().enumerated() { stream[position + offset] = byte }
            do {
                let iv = try AES._CFB.IV(ivBytes: [UInt8](repeating: 0, count: 16))
                return try AES._CFB.encrypt(UnsafeRawBufferPointer(stream), using: sessionKey, iv: iv)
            } catch {
                throw OpenPGPError.cryptoFailure(step: "AES-CFB encryption", reason: "\(error)")
            }
        }
        var packet = PacketEncoding.header(tag: 18, length: 1 + ciphertext.count)
        packet.reserveCapacity(packet.count + 1 + ciphertext.count)
        packet.append(1)
        packet.append(contentsOf: ciphertext)
        return packet
    }
}
