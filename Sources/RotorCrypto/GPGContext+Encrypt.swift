import CGPGME

extension GPGContext {
    /// Encrypts `plaintext` to every fingerprint, ASCII armored (`gpgme_op_encrypt`, `GPGME_ENCRYPT_ALWAYS_TRUST`).
    ///
    /// The plaintext is handed to gpgme by memory (`gpgme_data_new_from_mem`, no copy).
    /// Recipient keys are looked up once per context (`gpgme_get_key`) and cached until `importKeys`
    /// or `deinit`. Trust is not consulted: rotor's recipient list in git is the source of trust.
    /// - Parameters:
    ///   - plaintext: The bytes to encrypt.
    ///   - fingerprints: 40- or 64-hex-digit fingerprints (spaces and case are ignored); at least one.
    /// - Returns: An armored `-----BEGIN PGP MESSAGE-----` block.
    /// - Throws: `GPGError`; an unknown fingerprint gives "no public key for recipient <FPR> in <home>".
    public func encrypt(_ plaintext: UnsafeRawBufferPointer, to fingerprints: [String]) throws -> String {
        let keys = try recipients(fingerprints)
        var recipientArray: [gpgme_key_t?] = keys.map { $0.pointer }
        recipientArray.append(nil)  // gpgme expects a NULL-terminated array
        return try withExtendedLifetime(keys) {
            try GPGData.withInput(plaintext) { plain in
                try GPGData.withOutput({ cipher in
                    let err = recipientArray.withUnsafeMutableBufferPointer { array in
                        gpgme_op_encrypt(context, array.baseAddress, GPGME_ENCRYPT_ALWAYS_TRUST, plain, cipher)
                    }
                    if err != 0, let invalid = invalidRecipientsMessage() {
                        throw GPGError(err, function: "gpgme_op_encrypt", message: invalid)
                    }
                    try check(err, "gpgme_op_encrypt")
                }, read: { armored in
                    String(decoding: armored, as: UTF8.self)
                })
            }
        }
    }

    /// Encrypts the content of `plaintext`; see `encrypt(_:to:)` (`gpgme_op_encrypt`).
    public func encrypt(_ plaintext: SecretBytes, to fingerprints: [String]) throws -> String {
        try plaintext.withUnsafeBytes { try encrypt($0, to: fingerprints) }
    }

    /// Resolves fingerprints to cached, usable encryption keys (`gpgme_get_key`).
    func recipients(_ fingerprints: [String]) throws -> [GPGKey] {
        guard !fingerprints.isEmpty else {
            throw GPGError(GPG_ERR_NO_PUBKEY, function: "gpgme_op_encrypt", message: "no recipients given")
        }
        var keys: [GPGKey] = []
        var seen: Set<String> = []
        for raw in fingerprints {
            guard let fingerprint = OpenPGPMessageArmor.normalizeFingerprint(raw) else {
                throw GPGError(GPG_ERR_INV_NAME, function: "gpgme_get_key",
                               message: "recipient \"\(raw)\" is not a 40 or 64 hex digit fingerprint")
            }
            guard seen.insert(fingerprint).inserted else { continue }
            if let cached = recipientKeys[fingerprint] {
                keys.append(cached)
                continue
            }
            guard let key = try lookupKey(fingerprint, secret: false) else {
                throw GPGError(GPG_ERR_NO_PUBKEY, function: "gpgme_get_key",
                               message: "no public key for recipient \(fingerprint) in \(homeDescription)")
            }
            guard !key.isUnusable, key.canEncrypt else {
                throw GPGError(GPG_ERR_UNUSABLE_PUBKEY, function: "gpgme_get_key",
                               message: "public key \(fingerprint) in \(homeDescription) cannot encrypt (revoked, expired, disabled or no encryption subkey)")
            }
            recipientKeys[fingerprint] = key
            keys.append(key)
        }
        return keys
    }

    /// Names the recipients gpg rejected, from `gpgme_op_encrypt_result`.
    private func invalidRecipientsMessage() -> String? {
        guard let result = gpgme_op_encrypt_result(context) else { return nil }
        var parts: [String] = []
        var entry = result.pointee.invalid_recipients
        while let current = entry {
            let name = current.pointee.fpr.map { String(cString: $0) } ?? "?"
            parts.append("\(name): \(GPGError.strerror(current.pointee.reason))")
            entry = current.pointee.next
        }
        return parts.isEmpty ? nil : "unusable recipient key(s) in \(homeDescription): " + parts.joined(separator: "; ")
    }
}
