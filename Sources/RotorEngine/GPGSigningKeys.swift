import Crypto
import Foundation
import RotorCore
import RotorCrypto
import RotorWebhooks

/// Signing keys read from git: the live versions of `webhooks/<service>`, decrypted with gpg.
///
/// Decrypted once per service per pass and kept only as `SymmetricKey`s (whose storage
/// swift-crypto zeroes when released); the plaintext `SecretBytes` is wiped at once.
final class GPGSigningKeys: SigningKeyProvider, @unchecked Sendable {
    private let files: [SecretID: VersionFile]
    private let gpgHome: String?
    private let lock = NSLock()
    private var cache: [String: [SymmetricKey]] = [:]

    init(files: [SecretID: VersionFile], gpgHome: String?) {
        self.files = files
        self.gpgHome = gpgHome
    }

    func signingKeys(for service: String, at now: Date) throws -> [SymmetricKey] {
        lock.lock()
        defer { lock.unlock() }
        if let cached = cache[service] { return cached }
        let id = WebhookSigningSecret.secretID(for: service)
        guard let file = files[id] else { return [] }
        // The active key signs first; keys in their grace period sign too, so receivers
        // holding either secret accept the delivery while they switch over.
        let live = file.versions.filter { version in
            version.state == .active || (version.graceExpiresAt.map { $0 > now } ?? false)
        }.sorted { ($0.state == .active ? 1 : 0, $0.version) > ($1.state == .active ? 1 : 0, $1.version) }
        let context = try GPGContext(homeDirectory: gpgHome)
        let keys = try live.map { version -> SymmetricKey in
            let plaintext: SecretBytes
            do {
                plaintext = try context.decrypt(version.valueEncrypted)
            } catch let error as GPGError {
                throw EngineError("cannot decrypt signing secret \(id) v\(version.version): \(error.message). Delivering webhooks needs the private key, as `rotor get` does (GNUPGHOME or ROTOR_GPG_PRIVATE_KEY)")
            }
            return try plaintext.withUnsafeBytes { try WebhookSecret.key(fromText: $0, secretName: "\(id) v\(version.version)") }
        }
        cache[service] = keys
        return keys
    }
}
