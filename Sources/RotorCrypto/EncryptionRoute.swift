/// Which implementation encrypts to a recipient set, and why.
public enum EncryptionRoute: Equatable, Sendable, CustomStringConvertible {
    /// rotor's own OpenPGP encryptor: every recipient's encryption key is a usable cv25519 subkey.
    case native
    /// gpgme (one gpg process per value): `reason` says why the native path does not apply.
    case gpgme(reason: String)

    /// `native`, or `gpgme (<reason>)`.
    public var description: String {
        switch self {
        case .native: return "native"
        case let .gpgme(reason): return "gpgme (\(reason))"
        }
    }
}
