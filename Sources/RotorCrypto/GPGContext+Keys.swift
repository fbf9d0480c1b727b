import CGPGME

extension GPGContext {
    /// Imports armored public or secret keys (`gpgme_op_import`, `gpgme_op_import_result`).
    ///
    /// Clears this context's recipient-key cache so later encryptions see updated keys.
    /// - Parameter armored: One or more armored key blocks.
    /// - Returns: Primary fingerprints (uppercase, in input order, without duplicates) of the keys
    ///   that were imported or already present.
    /// - Throws: `GPGError` when the input holds no keys or no key could be imported.
    public func importKeys(armored: String) throws -> [String] {
        try GPGData.withInput(text: armored) { data in
            try check(gpgme_op_import(context, data), "gpgme_op_import")
        }
        recipientKeys.removeAll()
        guard let result = gpgme_op_import_result(context), result.pointee.considered > 0 else {
            throw GPGError(GPG_ERR_NO_DATA, function: "gpgme_op_import",
                           message: "no OpenPGP keys found in the input")
        }
        var fingerprints: [String] = []
        var firstFailure: GPGError?
        var entry = result.pointee.imports
        while let current = entry {
            let fingerprint = current.pointee.fpr.map { String(cString: $0).uppercased() }
            if current.pointee.result == 0 {
                if let fingerprint, !fingerprints.contains(fingerprint) {
                    fingerprints.append(fingerprint)
                }
            } else if firstFailure == nil {
                firstFailure = GPGError(current.pointee.result, function: "gpgme_op_import",
                                        message: "key \(fingerprint ?? "?") was not imported: "
                                            + GPGError.strerror(current.pointee.result))
            }
            entry = current.pointee.next
        }
        if fingerprints.isEmpty, let firstFailure {
            throw firstFailure
        }
        return fingerprints
    }

    /// Exports one public key, ASCII armored (`gpgme_op_export`).
    ///
    /// - Parameter fingerprint: A 40- or 64-hex-digit fingerprint.
    /// - Returns: A `-----BEGIN PGP PUBLIC KEY BLOCK-----` block.
    /// - Throws: `GPGError` when the fingerprint is malformed or no such public key exists.
    public func exportPublicKey(fingerprint: String) throws -> String {
        guard let normalized = OpenPGPMessageArmor.normalizeFingerprint(fingerprint) else {
            throw GPGError(GPG_ERR_INV_NAME, function: "gpgme_op_export",
                           message: "\"\(fingerprint)\" is not a 40 or 64 hex digit fingerprint")
        }
        let armored = try GPGData.withOutput({ data in
            try check(gpgme_op_export(context, normalized, 0, data), "gpgme_op_export")
        }, read: { String(decoding: $0, as: UTF8.self) })
        guard !armored.isEmpty else {
            throw GPGError(GPG_ERR_NO_PUBKEY, function: "gpgme_op_export",
                           message: "no public key \(normalized) in \(homeDescription)")
        }
        return armored
    }

    /// True when the keyring holds the public key (`gpgme_get_key`, secret = 0).
    public func hasPublicKey(fingerprint: String) -> Bool {
        guard let normalized = OpenPGPMessageArmor.normalizeFingerprint(fingerprint) else { return false }
        return (try? lookupKey(normalized, secret: false)) != nil
    }

    /// True when the keyring holds the secret key (`gpgme_get_key`, secret = 1).
    public func hasSecretKey(fingerprint: String) -> Bool {
        guard let normalized = OpenPGPMessageArmor.normalizeFingerprint(fingerprint) else { return false }
        return (try? lookupKey(normalized, secret: true)) != nil
    }

    /// Primary fingerprints of all secret keys in this home (`gpgme_op_keylist_start` with secret-only).
    ///
    /// - Returns: Uppercase fingerprints in keyring order.
    /// - Throws: `GPGError` if listing fails.
    public func secretKeyFingerprints() throws -> [String] {
        try check(gpgme_op_keylist_start(context, nil, 1), "gpgme_op_keylist_start")
        var fingerprints: [String] = []
        while true {
            var next: gpgme_key_t?
            let err = gpgme_op_keylist_next(context, &next)
            if gpgme_err_code(err) == GPG_ERR_EOF { break }
            if err != 0 {
                if let next { gpgme_key_unref(next) }
                _ = gpgme_op_keylist_end(context)
                try check(err, "gpgme_op_keylist_next")
            }
            guard let next else { break }
            if let fingerprint = GPGKey(owning: next).fingerprint {
                fingerprints.append(fingerprint)
            }
        }
        try check(gpgme_op_keylist_end(context), "gpgme_op_keylist_end")
        return fingerprints
    }

    /// Creates an ed25519 signing key with a cv25519 encryption subkey, no passphrase, no expiry.
    ///
    /// Calls `gpgme_op_createkey` then `gpgme_op_createsubkey`, both with
    /// `GPGME_CREATE_NOPASSWD | GPGME_CREATE_NOEXPIRE`.
    /// - Parameter userID: The user id, e.g. `"rotor <rotor@example.org>"`.
    /// - Returns: The primary key's fingerprint (uppercase hex).
    /// - Throws: `GPGError` if gpg cannot create either key.
    public func createKey(userID: String) throws -> String {
        let common = GPGME_CREATE_NOPASSWD | GPGME_CREATE_NOEXPIRE
        let err = gpgme_op_createkey(context, userID, "ed25519", 0, 0, nil,
                                     UInt32(GPGME_CREATE_SIGN | GPGME_CREATE_CERT | common))
        if err != 0, let explanation = explanation(for: err) {
            throw GPGError(err, function: "gpgme_op_createkey", message: explanation)
        }
        try check(err, "gpgme_op_createkey")
        guard let result = gpgme_op_genkey_result(context), let fpr = result.pointee.fpr else {
            throw GPGError(GPG_ERR_GENERAL, function: "gpgme_op_genkey_result",
                           message: "gpg created a key but reported no fingerprint")
        }
        let fingerprint = String(cString: fpr).uppercased()
        guard let primary = try lookupKey(fingerprint, secret: true) else {
            throw GPGError(GPG_ERR_NO_SECKEY, function: "gpgme_get_key",
                           message: "new key \(fingerprint) is missing from \(homeDescription)")
        }
        try check(gpgme_op_createsubkey(context, primary.pointer, "cv25519", 0, 0,
                                        UInt32(GPGME_CREATE_ENCR | common)),
                  "gpgme_op_createsubkey")
        recipientKeys[fingerprint] = nil
        return fingerprint
    }
}
