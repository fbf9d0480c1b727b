import CGPGME

extension GPGContext {
    /// Verifies a detached armored signature over `data` (`gpgme_op_verify`) and returns the
    /// primary fingerprints of the keys whose signatures are cryptographically valid.
    ///
    /// Trust is the caller's decision: run this in a home that holds only the keys you trust, and
    /// compare the returned fingerprints with your list. A signature by a key the home does not
    /// have, a bad signature, or one by a revoked or expired key yields no fingerprint.
    /// - Throws: `GPGError` when gpg cannot process the signature at all (e.g. it is not one).
    public func verifyDetached(signature: String, data: [UInt8]) throws -> [String] {
        try data.withUnsafeBytes { bytes in
            try GPGData.withInput(bytes) { signed in
                try GPGData.withInput(text: signature) { sig in
                    try check(gpgme_op_verify(context, sig, signed, nil), "gpgme_op_verify")
                    guard let result = gpgme_op_verify_result(context) else { return [] }
                    var fingerprints: [String] = []
                    var cursor = result.pointee.signatures
                    while let current = cursor {
                        let entry = current.pointee
                        let valid = gpgme_err_code(entry.status) == GPG_ERR_NO_ERROR
                            && entry.summary.rawValue & (GPGME_SIGSUM_KEY_REVOKED.rawValue | GPGME_SIGSUM_KEY_EXPIRED.rawValue | GPGME_SIGSUM_SIG_EXPIRED.rawValue | GPGME_SIGSUM_RED.rawValue) == 0
                        if valid, let fpr = entry.fpr {
                            let signing = String(cString: fpr).uppercased()
                            // The signature names the signing subkey; map it to its primary key.
                            let primary = (try? lookupKey(signing, secret: false))?.flatMap { $0.fingerprint } ?? signing
                            fingerprints.append(primary)
                        }
                        cursor = entry.next
                    }
                    return fingerprints
                }
            }
        }
    }
}
