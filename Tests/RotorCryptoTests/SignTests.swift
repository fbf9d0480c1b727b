import Foundation
import Testing
@testable import RotorCrypto

/// Detached signatures (later used for signed git commits).
@Suite struct SignTests {
    @Test func detachedSignatureVerifiesWithGPG() throws {
        // Given data signed by rotor
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let data = Array("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor rotor\n\nmessage\n".utf8)
        let signature = try context.signDetached(data, signer: fingerprint)
        #expect(signature.hasPrefix("-----BEGIN PGP SIGNATURE-----"))
        let dataURL = URL(fileURLWithPath: home.path).appendingPathComponent("data")
        let signatureURL = URL(fileURLWithPath: home.path).appendingPathComponent("data.asc")
        try Data(data).write(to: dataURL)
        try Data(signature.utf8).write(to: signatureURL)
        // When gpg verifies it, Then it is good, and bad for changed data
        let good = try GPGCLI.run(home: home.path, ["--verify", signatureURL.path, dataURL.path])
        #expect(good.status == 0, "gpg: \(good.stderr)")
        #expect(good.stderr.contains("Good signature"))
        try Data(data + [0x0A]).write(to: dataURL)
        let bad = try GPGCLI.run(home: home.path, ["--verify", signatureURL.path, dataURL.path])
        #expect(bad.status != 0)
    }

    @Test func signingWithoutSecretKeyFails() throws {
        let (home, context, _) = try homeWithKey()
        defer { home.remove() }
        let unknown = String(repeating: "C", count: 40)
        let error = #expect(throws: GPGError.self) { try context.signDetached([1, 2, 3], signer: unknown) }
        #expect(error?.isNoSecretKey == true)
        #expect(error?.message.contains(unknown) == true)
    }
}
