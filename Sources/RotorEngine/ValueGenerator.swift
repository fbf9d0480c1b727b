import Foundation
import RotorCore
import RotorCrypto

/// Makes new secret values from the system's cryptographically secure generator.
///
/// `SystemRandomNumberGenerator` reads the kernel's CSPRNG (getrandom on Linux). Characters
/// are drawn by rejection sampling, so every character of the set is equally likely.
public enum ValueGenerator {
    /// A fresh value for `spec` (its prefix first), in memory that is wiped when released.
    public static func generate(_ spec: GeneratorSpec) -> SecretBytes {
        let body = generateBody(spec)
        guard let prefix = spec.prefix, !prefix.isEmpty else { return body }
        let prefixBytes = Array(prefix.utf8)
        let value = SecretBytes(count: prefixBytes.count + body.count)
        value.withUnsafeMutableBytes { target in
            target.copyBytes(from: prefixBytes)
            body.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: target[prefixBytes.count...]).copyMemory(from: source)
            }
        }
        return value
    }

    private static func generateBody(_ spec: GeneratorSpec) -> SecretBytes {
        var rng = SystemRandomNumberGenerator()
        switch spec.kind {
        case .password:
            let alphabet = Array(spec.characters.utf8)
            var out = [UInt8](repeating: 0, count: spec.length)
            for index in out.indices {
                out[index] = alphabet[Int(uniform(below: UInt64(alphabet.count), using: &rng))]
            }
            defer { SecureWipe.wipe(&out) }
            return SecretBytes(out)
        case .hex:
            var raw = randomBytes(spec.length, using: &rng)
            defer { SecureWipe.wipe(&raw) }
            let digits = Array("0123456789abcdef".utf8)
            var out = [UInt8]()
            out.reserveCapacity(raw.count * 2)
            for byte in raw {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
            defer { SecureWipe.wipe(&out) }
            return SecretBytes(out)
        case .base64:
            var raw = randomBytes(spec.length, using: &rng)
            defer { SecureWipe.wipe(&raw) }
            var out = Base64.encode(raw)
            defer { SecureWipe.wipe(&out) }
            return SecretBytes(out)
        }
    }

    private static func uniform(below bound: UInt64, using rng: inout SystemRandomNumberGenerator) -> UInt64 {
        // Rejection sampling: discard draws from the incomplete last block.
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let draw = rng.next()
            if draw < limit { return draw % bound }
        }
    }

    private static func randomBytes(_ count: Int, using rng: inout SystemRandomNumberGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }
}
