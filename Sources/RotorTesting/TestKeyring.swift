import Foundation
import RotorCrypto

/// A throwaway GnuPG home with freshly generated keys, for tests and benchmarks.
///
/// Keys are ed25519 + cv25519 without a passphrase; the home lives in a short /tmp folder
/// because gpg-agent's socket path must stay short.
public final class TestKeyring: Sendable {
    /// The GnuPG home.
    public let home: TemporaryGPGHome
    /// The primary key's fingerprint.
    public let fingerprint: String

    /// Creates a home with one key for `userID`.
    public init(userID: String = "rotor test <test@rotor.invalid>") throws {
        home = try TemporaryGPGHome()
        fingerprint = try GPGContext(homeDirectory: home.path).createKey(userID: userID)
    }

    /// The home's path, to pass as GNUPGHOME.
    public var path: String { home.path }

    /// The armored public key.
    public func publicKey() throws -> String {
        try GPGContext(homeDirectory: home.path).exportPublicKey(fingerprint: fingerprint)
    }

    /// Imports another keyring's public key so values can be encrypted to it too.
    public func trust(_ other: TestKeyring) throws {
        _ = try GPGContext(homeDirectory: home.path).importKeys(armored: try other.publicKey())
    }
}
