import CGPGME

/// What gpgme's key listing says about one public key, copied out of a `gpgme_key_t`.
///
/// The native encryptor trusts gpg for validity (revocation, expiry, binding signatures,
/// capabilities) and only parses key material itself.
struct GPGKeyListing: Sendable {
    /// One subkey as gpgme lists it; the first is the primary key.
    struct Subkey: Sendable {
        /// Uppercase hex fingerprint (`fpr`), if gpgme reported one.
        var fingerprint: String?
        /// gpgme's algorithm (`GPGME_PK_ECDH` for OpenPGP algorithm 18).
        var algorithm: UInt32
        /// The curve name for ECC keys (`cv25519`, `nistp256`, …).
        var curve: String?
        var canEncrypt: Bool
        var revoked: Bool
        var expired: Bool
        var disabled: Bool
        var invalid: Bool
        /// Creation time (seconds since 1970; 0 unknown, -1 invalid).
        var timestamp: Int
        /// Expiry time (seconds since 1970), 0 when it never expires.
        var expires: Int

        /// Encryption-capable and neither revoked, expired, disabled nor invalid.
        var isUsableForEncryption: Bool {
            canEncrypt && !revoked && !expired && !disabled && !invalid
        }

        /// True for an ECDH key on Curve25519: what the native path implements.
        var isCV25519: Bool {
            algorithm == GPGME_PK_ECDH.rawValue && curve == "cv25519"
        }
    }

    var revoked: Bool
    var expired: Bool
    var disabled: Bool
    var invalid: Bool
    /// Primary key first, then subkeys in keyring order.
    var subkeys: [Subkey]

    /// The primary key's fingerprint.
    var fingerprint: String? { subkeys.first?.fingerprint }

    /// The key as a whole is revoked, expired, disabled or invalid.
    var isUnusable: Bool { revoked || expired || disabled || invalid }

    /// The key gpg would encrypt to: the usable encryption subkey with the latest creation time
    /// (the first one on a tie), else the primary key when it is usable for encryption, else
    /// `nil` (as in GnuPG 2.2's `finish_lookup`).
    var encryptionSubkey: Subkey? {
        guard !isUnusable else { return nil }
        var latest: Subkey?
        for subkey in subkeys.dropFirst() where subkey.isUsableForEncryption {
            if latest.map({ subkey.timestamp > $0.timestamp }) ?? true {
                latest = subkey
            }
        }
        if let latest { return latest }
        if let primary = subkeys.first, primary.isUsableForEncryption { return primary }
        return nil
    }

    /// Copies the listing out of a gpgme key.
    init(_ key: GPGKey) {
        let pointee = key.pointer.pointee
        revoked = pointee.revoked != 0
        expired = pointee.expired != 0
        disabled = pointee.disabled != 0
        invalid = pointee.invalid != 0
        var subkeys: [Subkey] = []
        var entry = pointee.subkeys
        while let current = entry {
            let subkey = current.pointee
            subkeys.append(Subkey(fingerprint: subkey.fpr.map { String(cString: $0).uppercased() },
                                  algorithm: subkey.pubkey_algo.rawValue,
                                  curve: subkey.curve.map { String(cString: $0) },
                                  canEncrypt: subkey.can_encrypt != 0, revoked: subkey.revoked != 0,
                                  expired: subkey.expired != 0, disabled: subkey.disabled != 0,
                                  invalid: subkey.invalid != 0, timestamp: subkey.timestamp, expires: subkey.expires))
            entry = subkey.next
        }
        self.subkeys = subkeys
    }

    /// A listing built from values, for tests of the selection rule.
    init(revoked: Bool = false, expired: Bool = false, disabled: Bool = false, invalid: Bool = false, subkeys: [Subkey]) {
        self.revoked = revoked
        self.expired = expired
        self.disabled = disabled
        self.invalid = invalid
        self.subkeys = subkeys
    }
}

extension GPGContext {
    /// gpgme's listing of one public key (`gpgme_get_key`, secret = 0), or `nil` if absent.
    ///
    /// - Throws: `GPGError` for failures other than "not found".
    func keyListing(_ fingerprint: String) throws -> GPGKeyListing? {
        try lookupKey(fingerprint, secret: false).map(GPGKeyListing.init)
    }
}
