import CGPGME
#if canImport(Glibc)
import Glibc
#endif

/// A gpgme context for OpenPGP: encrypt, decrypt, import, export, create keys and sign.
///
/// The class owns one `gpgme_ctx_t` (from `gpgme_new`) and releases it with `gpgme_release`
/// in `deinit`, after the cached recipient keys it holds. It is **not thread-safe**: gpgme
/// allows one operation at a time per context, so use one context per thread (see
/// `GPGEncryptionPool` for parallel encryption).
///
/// The context is configured for OpenPGP with ASCII armor and loopback pinentry. Protected
/// (passphrase-locked) secret keys are not supported in this version: the passphrase callback
/// returns `GPG_ERR_NO_PASSPHRASE`, unless the environment variable `ROTOR_GPG_PASSPHRASE` is
/// set, in which case its value is written to gpg over gpgme's pipe (never via argv or a file).
public final class GPGContext {
    /// The owned context.
    let context: gpgme_ctx_t
    /// Public keys already looked up by `encrypt`, keyed by normalized fingerprint.
    var recipientKeys: [String: GPGKey] = [:]

    /// The GnuPG home this context uses, or `nil` for `GNUPGHOME` / the default home.
    public let homeDirectory: String?

    /// Creates an OpenPGP context (`gpgme_new`) bound to `homeDirectory`.
    ///
    /// Calls `gpgme_set_protocol`, `gpgme_ctx_set_engine_info` (when a home is given),
    /// `gpgme_set_armor`, `gpgme_set_pinentry_mode` (loopback) and `gpgme_set_passphrase_cb`.
    /// - Parameter homeDirectory: The GnuPG home; keep it short (gpg-agent's socket lives in it,
    ///   and a long path makes the agent fail, which gpg then reports as "No secret key").
    ///   `nil` uses `GNUPGHOME` or the default home.
    /// - Throws: `GPGError` if gpgme cannot create or configure the context.
    public init(homeDirectory: String? = nil) throws {
        GPG.initialize()
        var created: gpgme_ctx_t?
        try check(gpgme_new(&created), "gpgme_new")
        guard let created else {
            throw GPGError(GPG_ERR_ENOMEM, function: "gpgme_new", message: "gpgme returned no context")
        }
        // From here on deinit releases the context, also if configuration below throws.
        context = created
        self.homeDirectory = homeDirectory
        try check(gpgme_set_protocol(context, GPGME_PROTOCOL_OpenPGP), "gpgme_set_protocol")
        if let homeDirectory {
            try check(gpgme_ctx_set_engine_info(context, GPGME_PROTOCOL_OpenPGP, nil, homeDirectory),
                      "gpgme_ctx_set_engine_info")
        }
        gpgme_set_armor(context, 1)
        try check(gpgme_set_pinentry_mode(context, GPGME_PINENTRY_MODE_LOOPBACK), "gpgme_set_pinentry_mode")
        gpgme_set_passphrase_cb(context, rotorPassphraseCallback, nil)
    }

    /// Releases cached keys (`gpgme_key_unref`) and then the context (`gpgme_release`).
    deinit {
        recipientKeys.removeAll()
        gpgme_release(context)
    }

    /// The home directory for messages: the explicit one or gpgme's default (`gpgme_get_dirinfo("homedir")`).
    var homeDescription: String {
        homeDirectory ?? GPG.dirInfo("homedir") ?? "the default GnuPG home"
    }

    /// Looks up one key by fingerprint (`gpgme_get_key`); `nil` when the keyring has none.
    ///
    /// - Throws: `GPGError` for failures other than "not found".
    func lookupKey(_ fingerprint: String, secret: Bool) throws -> GPGKey? {
        var key: gpgme_key_t?
        let err = gpgme_get_key(context, fingerprint, &key, secret ? 1 : 0)
        let code = gpgme_err_code(err)
        if code == GPG_ERR_EOF || code == GPG_ERR_NOT_FOUND {
            return nil
        }
        if err != 0, let key {
            gpgme_key_unref(key)
        }
        try check(err, "gpgme_get_key")
        return key.map(GPGKey.init(owning:))
    }
}

/// gpgme passphrase callback: writes `ROTOR_GPG_PASSPHRASE` to gpg's fd, or refuses.
///
/// Refuses on a repeated prompt (`prev_was_bad`) so a wrong passphrase cannot loop.
private func rotorPassphraseCallback(_ hook: UnsafeMutableRawPointer?,
                                     _ uidHint: UnsafePointer<CChar>?,
                                     _ passphraseInfo: UnsafePointer<CChar>?,
                                     _ previousWasBad: Int32,
                                     _ fd: Int32) -> gpgme_error_t {
    guard previousWasBad == 0, let passphrase = getenv("ROTOR_GPG_PASSPHRASE") else {
        return gpgme_error(GPG_ERR_NO_PASSPHRASE)
    }
    let length = strlen(passphrase)
    guard gpgme_io_writen(fd, passphrase, length) == 0, gpgme_io_writen(fd, "\n", 1) == 0 else {
        return gpgme_error(GPG_ERR_CANCELED)
    }
    return 0
}
