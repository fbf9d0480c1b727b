import CGPGME
import Foundation

extension GPGContext {
    /// A user-facing message for failures whose gpg wording misleads, or `nil` to keep gpgme's.
    ///
    /// gpg reports an unstartable agent as "No secret key" or "No agent running", and a
    /// protected key as "No passphrase given"; these say what is actually wrong and what to do.
    func explanation(for err: gpgme_error_t) -> String? {
        let code = gpgme_err_code(err)
        if code == GPG_ERR_NO_PASSPHRASE || code == GPG_ERR_BAD_PASSPHRASE || code == GPG_ERR_NO_PIN {
            return "the secret key in \(homeDescription) is passphrase-protected and no usable passphrase "
                + "was given: rotor supports unprotected keys only, unless the environment variable "
                + "ROTOR_GPG_PASSPHRASE holds the passphrase (gpg: \(GPGError.strerror(err)))"
        }
        if code == GPG_ERR_NO_AGENT || code == GPG_ERR_AGENT {
            return "gpg-agent for \(homeDescription) is not usable (\(GPGError.strerror(err)))" + (agentSocketHint ?? "")
        }
        return nil
    }

    /// A note for when gpg-agent's socket cannot fit in this home, else `nil`.
    ///
    /// Without `/run/user/<uid>`, gpg 2.2 puts the agent's sockets inside the home, and a Unix
    /// socket path is limited to 107 bytes (`S.gpg-agent.browser` is the longest name).
    var agentSocketHint: String? {
        guard let homeDirectory else { return nil }
        let socketPath = homeDirectory + "/S.gpg-agent.browser"
        guard socketPath.utf8.count > 107,
              !FileManager.default.fileExists(atPath: "/run/user/\(getuid())") else { return nil }
        return "; the GnuPG home path is \(homeDirectory.utf8.count) bytes long, too long for gpg-agent's "
            + "socket (at most 87 bytes here): use a shorter home directory"
    }

    /// True for codes gpg returns when a message is corrupt, truncated or was modified.
    static func isCorruptMessage(_ code: gpgme_err_code_t) -> Bool {
        [GPG_ERR_DECRYPT_FAILED, GPG_ERR_NO_DATA, GPG_ERR_BAD_DATA, GPG_ERR_CHECKSUM,
         GPG_ERR_INV_PACKET, GPG_ERR_BAD_MPI, GPG_ERR_UNKNOWN_PACKET].contains(code)
    }
}
