import Crypto
import Foundation
import RotorCore
import RotorCrypto
import RotorWebhooks
import Synchronization

/// Signing keys read from git: the live versions of `webhooks/<service>`, decrypted with gpg.
///
/// Decrypted once per service per pass and kept only as `SymmetricKey`s (whose storage
/// swift-crypto zeroes when released); the plaintext `SecretBytes` is wiped at once.
final class GPGSigningKeys: SigningKeyProvider, Sendable {
    private let files: [SecretID: VersionFile]
    private let gpgHome: String?
    private let cache = Mutex<[String: [SymmetricKey]]>([:])
    /// Entered while keys are read in the background (``prefetchInBackground(_:at:)``).
    private let background = DispatchGroup()

    init(files: [SecretID: VersionFile], gpgHome: String?) {
        self.files = files
        self.gpgHome = gpgHome
    }

    func signingKeys(for service: String, at now: Date) throws -> [SymmetricKey] {
        // What is being read in the background is waited for, not read twice.
        background.wait()
        return try cache.withLock { cache in
            if let cached = cache[service] { return cached }
            let keys = try decrypt(service, at: now)
            cache[service] = keys
            return keys
        }
    }

    /// Decrypts the services not yet read in parallel, one gpg context each (gpg runs once per
    /// key, so a pass's first batch no longer waits for them one after another).
    func prefetch(_ services: Set<String>, at now: Date) {
        background.wait()
        read(services, at: now)
    }

    /// Starts reading the keys of the services `services()` names on a thread of its own, and
    /// returns at once; asking for keys waits until it is done.
    func prefetchInBackground(_ services: @escaping @Sendable () -> Set<String>, at now: Date) {
        background.enter()
        Thread.detachNewThread { [self] in
            read(services(), at: now)
            background.leave()
        }
    }

    private func read(_ services: Set<String>, at now: Date) {
        let missing = cache.withLock { cache in services.filter { cache[$0] == nil }.sorted() }
        guard missing.count > 1 else {
            for service in missing {
                if let keys = try? decrypt(service, at: now) { cache.withLock { $0[service] = keys } }
            }
            return
        }
        let memory = UnsafeMutableBufferPointer<[SymmetricKey]?>.allocate(capacity: missing.count)
        memory.initialize(repeating: nil)
        defer { memory.deinitialize(); memory.deallocate() }
        let results = DisjointBuffer(memory)
        DispatchQueue.concurrentPerform(iterations: missing.count) { index in
            // A failure is left for signingKeys(for:at:) to report with the delivery.
            results[index] = try? decrypt(missing[index], at: now)
        }
        cache.withLock { cache in
            for (index, service) in missing.enumerated() where cache[service] == nil {
                if let keys = results[index] { cache[service] = keys }
            }
        }
    }

    private func decrypt(_ service: String, at now: Date) throws -> [SymmetricKey] {
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
        return keys
    }
}

extension GPGSigningKeys {
    /// Starts gpgme's one-time set-up on a thread of its own and returns at once.
    ///
    /// The first gpgme context of a process runs gpgconf, gpg and gpgsm to learn the engines and
    /// their versions (~20 ms of process starts here). Started while the repository is read and
    /// the store reconciled, that is off the delivery pass, whose first requests would otherwise
    /// wait for it before the signing keys can be decrypted. Nothing is decrypted here.
    static func warmUp(gpgHome: String?) {
        Thread.detachNewThread { _ = try? GPGContext(homeDirectory: gpgHome) }
    }
}
