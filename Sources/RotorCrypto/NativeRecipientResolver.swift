import CGPGME
import RotorOpenPGP

/// The outcome of resolving a recipient set for the native encryptor.
struct NativeRecipientResolution: Sendable {
    /// `.native`, or `.gpgme` with the reason.
    var route: EncryptionRoute
    /// The parsed encryption subkeys, in recipient order (empty unless the route is native).
    var recipients: [CV25519Recipient]
    /// The earliest expiry (seconds since 1970) of the keys used; the decision is stale after it.
    var expiresAt: Int?

    /// A fallback decision.
    static func gpgme(_ reason: String) -> NativeRecipientResolution {
        NativeRecipientResolution(route: .gpgme(reason: reason), recipients: [], expiresAt: nil)
    }
}

/// Decides, per recipient set, whether rotor can encrypt natively, and loads the keys if so.
///
/// Validity comes from gpg (gpgme's key listing: revoked, expired, disabled, invalid,
/// `can_encrypt`), and the subkey is chosen as gpg chooses it. Only the key material is read
/// by rotor: the key is exported, parsed, and its primary and subkey v4 fingerprints are
/// recomputed and must equal gpg's. Anything else (another algorithm or curve, a missing key,
/// a subkey fingerprint given as recipient, a parse disagreement) routes to gpgme, which then
/// encrypts or reports the problem in its usual words.
enum NativeRecipientResolver {
    /// Resolves `fingerprints` in `context`'s keyring.
    ///
    /// - Throws: `GPGError` only when gpgme itself fails (not for "no such key", which falls back).
    static func resolve(_ fingerprints: [String], in context: GPGContext) throws -> NativeRecipientResolution {
        guard !fingerprints.isEmpty else { return .gpgme("no recipients") }
        var recipients: [CV25519Recipient] = []
        var seen: Set<String> = []
        var expiresAt: Int?
        for raw in fingerprints {
            guard let fingerprint = OpenPGPMessageArmor.normalizeFingerprint(raw), fingerprint.count == 40 else {
                return .gpgme("recipient \"\(raw)\" is not a v4 fingerprint")
            }
            guard seen.insert(fingerprint).inserted else { continue }
            guard let listing = try context.keyListing(fingerprint) else {
                return .gpgme("no public key \(fingerprint)")
            }
            guard listing.fingerprint == fingerprint else {
                return .gpgme("\(fingerprint) is not a primary key fingerprint")
            }
            guard let subkey = listing.encryptionSubkey, let subkeyFingerprint = subkey.fingerprint else {
                return .gpgme("key \(fingerprint) has no usable encryption key")
            }
            guard subkey.isCV25519 else {
                return .gpgme("key \(fingerprint) encrypts with \(describe(subkey))")
            }
            let recipient: CV25519Recipient
            do {
                recipient = try load(subkeyFingerprint, of: fingerprint, from: context)
            } catch let error as OpenPGPError {
                return .gpgme(error.description)
            }
            recipients.append(recipient)
            for expiry in [listing.subkeys.first?.expires ?? 0, subkey.expires] where expiry > 0 {
                expiresAt = min(expiresAt ?? expiry, expiry)
            }
        }
        return NativeRecipientResolution(route: .native, recipients: recipients, expiresAt: expiresAt)
    }

    /// Exports `primary`, checks the recomputed primary fingerprint and reads the subkey.
    private static func load(_ subkey: String, of primary: String, from context: GPGContext) throws -> CV25519Recipient {
        let armored = try context.exportPublicKey(fingerprint: primary)
        guard let block = OpenPGPMessageArmor.dearmor(armored, begin: "-----BEGIN PGP PUBLIC KEY BLOCK-----",
                                                      end: "-----END PGP PUBLIC KEY BLOCK-----") else {
            throw OpenPGPError.malformedPacket(offset: 0, reason: "gpg's export of \(primary) is not one armored public key block")
        }
        let keys = try PublicKeyPacket.all(in: block)
        guard let first = keys.first, !first.isSubkey, first.fingerprintHex == primary else {
            throw OpenPGPError.keyNotFound(fingerprint: primary)
        }
        return try CV25519Recipient(keyBlock: block, fingerprint: subkey)
    }

    /// `RSA`, `ECDH nistp256`, … (`gpgme_pubkey_algo_name`).
    private static func describe(_ subkey: GPGKeyListing.Subkey) -> String {
        let name = gpgme_pubkey_algo_name(gpgme_pubkey_algo_t(rawValue: subkey.algorithm)).map { String(cString: $0) }
            ?? "algorithm \(subkey.algorithm)"
        return subkey.curve.map { "\(name) \($0)" } ?? name
    }
}
