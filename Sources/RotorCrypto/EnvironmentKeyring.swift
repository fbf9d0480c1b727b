import Synchronization

/// A private key handed over as armored text (`ROTOR_GPG_PRIVATE_KEY`), imported once into a
/// private ``TemporaryGPGHome``.
///
/// The outcome of the first import is kept, failure included: every later call answers the
/// same home or throws the same error, so a bad key can never look like "no key given".
public final class EnvironmentKeyring: Sendable {
    private let armored: String?
    private let outcome = Mutex<Result<TemporaryGPGHome?, any Error>?>(nil)

    /// A keyring for `armored` (nil or empty: no key given).
    public init(armored: String?) {
        self.armored = armored
    }

    /// The home holding the imported secret key; nil when no key was given.
    ///
    /// - Throws: ``GPGKeyEnvironmentError`` when the text holds no secret key, or the
    ///   `GPGError` of the import; the same error on every call.
    public func home() throws -> TemporaryGPGHome? {
        try outcome.withLock { outcome in
            let result = outcome ?? Result { try Self.load(armored) }
            outcome = result
            return try result.get()
        }
    }

    /// Removes the imported home (its agent included), if one was made.
    public func remove() {
        outcome.withLock { outcome in
            if case .success(let home?) = outcome { home.remove() }
        }
    }

    private static func load(_ armored: String?) throws -> TemporaryGPGHome? {
        guard let armored, !armored.isEmpty else { return nil }
        let temporary = try TemporaryGPGHome()
        do {
            let context = try GPGContext(homeDirectory: temporary.path)
            let imported = try context.importKeys(armored: armored)
            guard !(try context.secretKeyFingerprints()).isEmpty else {
                throw GPGKeyEnvironmentError(importedCount: imported.count)
            }
            return temporary
        } catch {
            temporary.remove()
            throw error
        }
    }
}

/// `ROTOR_GPG_PRIVATE_KEY` held no secret key. Says how many public keys it held; never any key material.
public struct GPGKeyEnvironmentError: Error, CustomStringConvertible {
    /// How many (public) keys the text held.
    public let importedCount: Int
    public var description: String {
        "ROTOR_GPG_PRIVATE_KEY holds no secret key (\(importedCount) public key(s) imported): export it with gpg --export-secret-keys --armor"
    }
}
