import CGPGME

/// Owns one `gpgme_key_t` reference and releases it with `gpgme_key_unref` in `deinit`.
///
/// Internal: key pointers never leave this module. Readers copy what they need into Swift values.
final class GPGKey {
    /// The owned reference; valid for the lifetime of this object.
    let pointer: gpgme_key_t

    /// Takes ownership of a reference returned by `gpgme_get_key` or `gpgme_op_keylist_next`.
    init(owning pointer: gpgme_key_t) {
        self.pointer = pointer
    }

    /// Releases the reference (`gpgme_key_unref`).
    deinit {
        gpgme_key_unref(pointer)
    }

    /// The primary key's fingerprint in uppercase hex (`subkeys->fpr`, falling back to `fpr`).
    var fingerprint: String? {
        if let subkey = pointer.pointee.subkeys, let fpr = subkey.pointee.fpr {
            return String(cString: fpr).uppercased()
        }
        return pointer.pointee.fpr.map { String(cString: $0).uppercased() }
    }

    /// True when the key is revoked, expired, disabled or invalid.
    var isUnusable: Bool {
        let key = pointer.pointee
        return key.revoked != 0 || key.expired != 0 || key.disabled != 0 || key.invalid != 0
    }

    /// True when some subkey may encrypt (`can_encrypt`).
    var canEncrypt: Bool { pointer.pointee.can_encrypt != 0 }

    /// True when some subkey may sign (`can_sign`).
    var canSign: Bool { pointer.pointee.can_sign != 0 }
}
