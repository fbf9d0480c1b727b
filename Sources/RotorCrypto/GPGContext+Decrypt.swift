import CGPGME

extension GPGContext {
    /// Decrypts an ASCII-armored OpenPGP message (`gpgme_op_decrypt`) into wiped-on-release memory.
    ///
    /// The input must be an encrypted message (`OpenPGPMessageArmor.isEncryptedMessage`): a signed-only
    /// or literal message is refused rather than "decrypted", because its content is not secret.
    /// gpgme's output buffer is wiped before it is freed.
    /// - Parameter armored: A `-----BEGIN PGP MESSAGE-----` block.
    /// - Returns: The plaintext.
    /// - Throws: `GPGError`; without a matching secret key the error has `isNoSecretKey` and says
    ///   "no secret key for this value (encrypted to key ids: …)" (from `gpgme_op_decrypt_result`);
    ///   a corrupt or modified message has `isDecryptionFailed` (code `GPG_ERR_DECRYPT_FAILED`,
    ///   gpg's own reason in the message); a protected key gives an explanation naming
    ///   `ROTOR_GPG_PASSPHRASE`.
    public func decrypt(_ armored: String) throws -> SecretBytes {
        guard OpenPGPMessageArmor.isEncryptedMessage(armored) else {
            throw GPGError(GPG_ERR_DECRYPT_FAILED, function: "gpgme_op_decrypt",
                           message: "input is not an ASCII-armored OpenPGP encrypted message")
        }
        return try GPGData.withInput(text: armored) { cipher in
            try GPGData.withOutput({ plain in
                let err = gpgme_op_decrypt(context, cipher, plain)
                let code = gpgme_err_code(err)
                if code == GPG_ERR_NO_SECKEY {
                    throw GPGError(err, function: "gpgme_op_decrypt", message: noSecretKeyMessage())
                }
                if err != 0, GPGContext.isCorruptMessage(code) {
                    throw GPGError(GPG_ERR_DECRYPT_FAILED, function: "gpgme_op_decrypt",
                                   message: "decryption failed, the value is corrupt or was modified: \(GPGError.strerror(err))")
                }
                if err != 0, let explanation = explanation(for: err) {
                    throw GPGError(err, function: "gpgme_op_decrypt", message: explanation)
                }
                try check(err, "gpgme_op_decrypt")
            }, read: { bytes in
                SecretBytes(copying: bytes.baseAddress, count: bytes.count)
            })
        }
    }

    /// "no secret key for this value (encrypted to key ids: …)" from `gpgme_op_decrypt_result`.
    private func noSecretKeyMessage() -> String {
        var keyIDs: [String] = []
        if let result = gpgme_op_decrypt_result(context) {
            var recipient = result.pointee.recipients
            while let current = recipient {
                if let keyID = current.pointee.keyid {
                    keyIDs.append(String(cString: keyID).uppercased())
                }
                recipient = current.pointee.next
            }
        }
        let message = "no secret key for this value (encrypted to key ids: "
            + (keyIDs.isEmpty ? "unknown" : keyIDs.joined(separator: ", "))
            + ") in \(homeDescription)"
        // A long home path stops gpg-agent, which gpg misreports as a missing secret key.
        return message + (agentSocketHint ?? "")
    }
}
