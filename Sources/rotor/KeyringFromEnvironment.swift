import Foundation
import RotorCrypto

/// The reconciler's private key from `ROTOR_GPG_PRIVATE_KEY`, imported into a private temporary keyring.
///
/// The keyring lives in a short mkdtemp folder (gpg-agent's socket path must stay short) and
/// is removed, agent included, when the process exits normally.
enum KeyringFromEnvironment {
    nonisolated(unsafe) private static var home: TemporaryGPGHome?
    nonisolated(unsafe) private static var loaded = false

    static func shared() throws -> TemporaryGPGHome? {
        if loaded { return home }
        loaded = true
        guard let armored = ProcessInfo.processInfo.environment["ROTOR_GPG_PRIVATE_KEY"], !armored.isEmpty else { return nil }
        let temporary = try TemporaryGPGHome()
        let context = try GPGContext(homeDirectory: temporary.path)
        let imported = try context.importKeys(armored: armored)
        guard !(try context.secretKeyFingerprints()).isEmpty else {
            temporary.remove()
            throw GPGKeyEnvironmentError(importedCount: imported.count)
        }
        home = temporary
        atexit { KeyringFromEnvironment.home?.remove() }
        return temporary
    }
}

struct GPGKeyEnvironmentError: Error, CustomStringConvertible {
    let importedCount: Int
    var description: String {
        "ROTOR_GPG_PRIVATE_KEY holds no secret key (\(importedCount) public key(s) imported): export it with gpg --export-secret-keys --armor"
    }
}
