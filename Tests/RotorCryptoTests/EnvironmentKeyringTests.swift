import Foundation
import Testing
@testable import RotorCrypto

@Suite("ROTOR_GPG_PRIVATE_KEY")
struct EnvironmentKeyringTests {
    @Test func aFailedImportFailsEveryCallNotJustTheFirst() throws {
        // Given a public key only (no secret key) where a private key is expected
        let (home, _, fingerprint) = try homeWithKey("Public only")
        let exported = try GPGCLI.run(home: home.path, ["--export", "--armor", fingerprint])
        let keyring = EnvironmentKeyring(armored: String(decoding: exported.stdout, as: UTF8.self))
        // When it is asked for twice, Then both calls fail with the same reason
        for _ in 0..<2 {
            #expect(throws: GPGKeyEnvironmentError.self) { try keyring.home() }
        }
    }

    @Test func noKeyGivenIsNilAndAGoodKeyIsImportedOnce() throws {
        #expect(try EnvironmentKeyring(armored: nil).home() == nil)
        #expect(try EnvironmentKeyring(armored: "").home() == nil)
        let (home, _, fingerprint) = try homeWithKey("Secret")
        let exported = try GPGCLI.run(home: home.path, ["--export-secret-keys", "--armor", fingerprint])
        let keyring = EnvironmentKeyring(armored: String(decoding: exported.stdout, as: UTF8.self))
        let first = try #require(try keyring.home())
        #expect(try keyring.home() === first)
        #expect(try GPGContext(homeDirectory: first.path).secretKeyFingerprints() == [fingerprint])
        keyring.remove()
        #expect(!FileManager.default.fileExists(atPath: first.path))
    }
}
