import Foundation
import RotorCrypto

/// The reconciler's private key from `ROTOR_GPG_PRIVATE_KEY`, imported into a private temporary keyring.
///
/// The keyring lives in a short mkdtemp folder (gpg-agent's socket path must stay short) and
/// is removed, agent included, when the process exits normally.
enum KeyringFromEnvironment {
    static let keyring = EnvironmentKeyring(armored: ProcessInfo.processInfo.environment["ROTOR_GPG_PRIVATE_KEY"])
    private static let removeAtExit: Void = { atexit { KeyringFromEnvironment.keyring.remove() } }()

    static func shared() throws -> TemporaryGPGHome? {
        _ = removeAtExit
        return try keyring.home()
    }
}
