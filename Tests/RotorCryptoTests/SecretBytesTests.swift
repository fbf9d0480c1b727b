import Foundation
import Testing
@testable import RotorCrypto

@Suite struct SecretBytesTests {
    @Test func contentIsNeverDescribed() {
        let secret = SecretBytes(Array("ROTOR-CANARY-value".utf8))
        #expect(secret.count == 18)
        #expect("\(secret)" == "SecretBytes(18 bytes)")
        #expect(String(reflecting: secret) == "SecretBytes(18 bytes)")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("CANARY"))
        #expect(secret.utf8String() == "ROTOR-CANARY-value")
    }

    @Test func mutableBytesAndInvalidUTF8() {
        let secret = SecretBytes(count: 3)
        #expect(secret.withUnsafeBytes { Array($0) } == [0, 0, 0])
        secret.withUnsafeMutableBytes { $0[0] = 0xFF }
        #expect(secret.utf8String() == nil)
        #expect(SecretBytes([]).utf8String() == "")
        #expect(SecretBytes(count: 0).count == 0)
    }
}
