import CGPGME

extension GPGContext {
    /// Makes a detached, ASCII-armored signature over `data` (`gpgme_signers_add`, `gpgme_op_sign`
    /// with `GPGME_SIG_MODE_DETACH`), e.g. for a signed git commit.
    ///
    /// - Parameters:
    ///   - data: The bytes to sign.
    ///   - fingerprint: The signing key; its secret key must be in this home.
    /// - Returns: A `-----BEGIN PGP SIGNATURE-----` block.
    /// - Throws: `GPGError` when the key is missing or gpg cannot sign.
    public func signDetached(_ data: [UInt8], signer fingerprint: String) throws -> String {
        guard let normalized = OpenPGPMessageArmor.normalizeFingerprint(fingerprint) else {
            throw GPGError(GPG_ERR_INV_NAME, function: "gpgme_signers_add",
                           message: "signer \"\(fingerprint)\" is not a 40 or 64 hex digit fingerprint")
        }
        guard let key = try lookupKey(normalized, secret: true) else {
            throw GPGError(GPG_ERR_NO_SECKEY, function: "gpgme_get_key",
                           message: "no secret key for signer \(normalized) in \(homeDescription)")
        }
        gpgme_signers_clear(context)
        defer { gpgme_signers_clear(context) }
        try check(gpgme_signers_add(context, key.pointer), "gpgme_signers_add")
        return try data.withUnsafeBytes { bytes in
            try GPGData.withInput(bytes) { plain in
                try GPGData.withOutput({ signature in
                    let err = gpgme_op_sign(context, plain, signature, GPGME_SIG_MODE_DETACH)
                    if err != 0, let result = gpgme_op_sign_result(context),
                       let invalid = result.pointee.invalid_signers {
                        throw GPGError(err, function: "gpgme_op_sign",
                                       message: "signer \(normalized) is unusable: "
                                           + GPGError.strerror(invalid.pointee.reason))
                    }
                    if err != 0, let explanation = explanation(for: err) {
                        throw GPGError(err, function: "gpgme_op_sign", message: explanation)
                    }
                    try check(err, "gpgme_op_sign")
                }, read: { String(decoding: $0, as: UTF8.self) })
            }
        }
    }
}
