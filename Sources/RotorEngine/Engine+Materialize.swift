import Crypto
import Foundation
import RotorCore
import RotorCrypto
import RotorGit
import RotorSpecs
import RotorStore

extension Engine {
    /// The new version files a plan produces and the git changes that write them.
    struct Materialized {
        var files: [SecretID: VersionFile]
        var keyFiles: [SecretID: KeyVersionFile]
        var changes: [String: [UInt8]?]
        /// New versions that reused a pending version instead of a fresh value.
        var reusedVersionIDs: [String] = []
    }

    /// Executes the git side of a plan in memory: new values and keys are generated and encrypted,
    /// external values re-encrypted to the recipients, expired versions dropped, keys revoked.
    ///
    /// Nothing is written here; a failure leaves git and the store untouched. A create or rotate whose
    /// slot (secret or key, version number) has a usable pending version takes that version's id and
    /// ciphertext instead of a fresh value: a value that was committed once is never replaced by another.
    func materialize(plan: Plan, desired: DesiredState, snapshot: Snapshot, now: Date,
                     pending: [PendingVersion.Slot: PendingVersion] = [:]) throws -> Materialized {
        var files = snapshot.versionFiles
        var keyFiles = snapshot.keyFiles
        var touched = Set<SecretID>()
        var touchedKeys = Set<SecretID>()
        let issuing = plan.actions.filter { $0.kind == .create || $0.kind == .rotate }
        let issued = try issueValues(for: issuing, desired: desired, snapshot: snapshot, pending: pending)
        var authors = AuthorCache(repository: repository, revision: snapshot.revision)
        // All spec authors in one history walk: one lookup per action read a whole directory tree
        // each time, O(N²) for N new secrets in one project.
        try authors.prefetch(issuing.compactMap { action in
            guard action.cause == .new || action.cause == .valueChanged else { return nil }
            return action.resource == .key ? ApiKeySpec.path(for: action.secret) : SpecLoader.specPath(action.secret)
        })
        for (action, value) in zip(issuing, issued) {
            let createdBy = try createdBy(action, resource: action.resource, authors: &authors)
            let ciphertext = value.ciphertext
            if action.resource == .key {
                guard let spec = desired.keys[action.secret], let hash = value.keyHash, let hint = value.keyHint else { continue }
                keyFiles[action.secret] = issueKey(action: action, spec: spec, file: keyFiles[action.secret], id: value.id, hash: hash, hint: hint,
                                                   ciphertext: ciphertext, recipients: desired.config.recipients, createdBy: createdBy, now: now)
                touchedKeys.insert(action.secret)
                continue
            }
            guard let spec = desired.secrets[action.secret], let number = action.version else { continue }
            var file = files[action.secret] ?? VersionFile(secret: action.secret, versions: [])
            if action.kind == .rotate {
                for index in file.versions.indices where file.versions[index].state == .active {
                    file.versions[index].state = .grace
                    file.versions[index].graceExpiresAt = action.graceExpiresAt
                }
            }
            let version = SecretVersion(id: value.id, version: number, state: .active, createdAt: now,
                                        createdBy: createdBy, rotatedFrom: action.fromVersion, rotationReason: action.reason,
                                        graceExpiresAt: nil, source: spec.isExternal ? .external : .generated,
                                        sourceDigest: spec.externalValueDigest, recipients: desired.config.recipients,
                                        valueEncrypted: VersionFile.canonicalArmor(ciphertext), rolledBackTo: action.rollbackTo)
            files[action.secret] = VersionFile(secret: action.secret, versions: file.versions + [version])
            touched.insert(action.secret)
        }
        for action in plan.actions {
            switch (action.kind, action.resource) {
            case (.expire, .secret):
                files[action.secret]?.versions.removeAll { $0.version == action.version && $0.state == .grace }
                touched.insert(action.secret)
            case (.delete, .secret):
                files[action.secret] = nil
                touched.insert(action.secret)
            case (.expire, .key), (.revoke, .key):
                guard var file = keyFiles[action.secret] else { continue }
                for index in file.versions.indices where file.versions[index].version == action.version && file.versions[index].state.isValid {
                    file.versions[index].state = action.kind == .revoke ? .revoked : .expired
                    file.versions[index].endedAt = now
                    file.versions[index].revokeReason = action.kind == .revoke ? action.reason : nil
                    file.versions[index].valueEncrypted = nil
                }
                keyFiles[action.secret] = file
                touchedKeys.insert(action.secret)
            case (.delete, .key):
                keyFiles[action.secret] = nil
                touchedKeys.insert(action.secret)
            default:
                continue
            }
        }
        var changes: [String: [UInt8]?] = [:]
        // updateValue, because assigning nil through a subscript would drop the deletion.
        for id in touched {
            changes.updateValue(files[id].map { $0.canonicalBytes() }, forKey: VersionFile.path(for: id))
        }
        for id in touchedKeys {
            changes.updateValue(keyFiles[id].map { $0.canonicalBytes() }, forKey: KeyVersionFile.path(for: id))
        }
        return Materialized(files: files, keyFiles: keyFiles, changes: changes,
                            reusedVersionIDs: zip(issuing, issued).filter { $0.1.reused }.map(\.1.id))
    }

    /// A new key version; a rotation puts the old active key into its overlap.
    private func issueKey(action: PlanAction, spec: ApiKeySpec, file: KeyVersionFile?, id: String, hash: String, hint: String,
                          ciphertext: String, recipients: [String], createdBy: String, now: Date) -> KeyVersionFile {
        var versions = file?.versions ?? []
        if action.kind == .rotate {
            for index in versions.indices where versions[index].state == .active {
                versions[index].state = .overlap
                versions[index].rotatedTo = id
                versions[index].expiresAt = [versions[index].expiresAt, action.graceExpiresAt].compactMap { $0 }.min()
            }
        }
        versions.append(KeyVersion(id: id, version: action.version ?? 1, state: .active, type: spec.type, scopes: spec.scopes,
                                   createdAt: now, createdBy: createdBy, rotatedFrom: action.fromVersion, rotatedTo: nil,
                                   rotationReason: action.reason, expiresAt: spec.expiresAt, endedAt: nil, revokeReason: nil,
                                   hash: hash, hint: hint, recipients: recipients,
                                   valueEncrypted: VersionFile.canonicalArmor(ciphertext)))
        return KeyVersionFile(key: action.secret, versions: versions)
    }

    /// Who caused a new version: the person for `rotor rotate`, the author of the commit that
    /// added or changed the spec for spec-driven changes, and `rotor` for scheduled rotations.
    private func createdBy(_ action: PlanAction, resource: PlanAction.Resource, authors: inout AuthorCache) throws -> String {
        switch action.cause {
        case .manual, .rollback: return actor
        case .new, .valueChanged:
            let path = resource == .key ? ApiKeySpec.path(for: action.secret) : SpecLoader.specPath(action.secret)
            return try authors.author(of: path) ?? "rotor"
        case .due, .none: return "rotor"
        }
    }

    /// One value per create/rotate action, in action order: a usable pending version, the value of
    /// an older version for a rollback, or a fresh value (generated, or the external value
    /// decrypted) encrypted in parallel gpg contexts. For API keys it also carries the key's hash
    /// and hint; the key itself never leaves memory.
    ///
    /// A rollback takes the older version's ciphertext as it is when it is encrypted to
    /// rotor.yaml's recipients, and otherwise decrypts it to re-encrypt it to them.
    private func issueValues(for actions: [PlanAction], desired: DesiredState, snapshot: Snapshot,
                             pending: [PendingVersion.Slot: PendingVersion]) throws -> [IssuedValue] {
        guard !actions.isEmpty else { return [] }
        var reused: [Int: PendingVersion] = [:]
        var carried: [Int: String] = [:]
        var rolledBack: [Int: SecretVersion] = [:]
        for (index, action) in actions.enumerated() {
            if let number = action.rollbackTo {
                guard let older = snapshot.versionFiles[action.secret]?.versions.first(where: { $0.version == number }) else {
                    throw EngineError("internal: \(action.secret) has no v\(number) to roll back to")
                }
                if older.recipients == desired.config.recipients { carried[index] = older.valueEncrypted } else { rolledBack[index] = older }
            } else if let candidate = Self.reusable(action, pending: pending, desired: desired) {
                reused[index] = candidate
            }
        }
        var plaintexts: [SecretBytes] = []
        var materials: [KeyMaterial?] = []
        if reused.count + carried.count < actions.count {
            try prepareKeyring(recipients: desired.config.recipients, shipped: snapshot.recipientKeys)
        }
        let context = try GPGContext(homeDirectory: gpgHome)
        for (index, action) in actions.enumerated() where reused[index] == nil && carried[index] == nil {
            if let older = rolledBack[index] {
                materials.append(nil)
                do {
                    plaintexts.append(try context.decrypt(older.valueEncrypted))
                } catch let error as GPGError {
                    throw EngineError("\(action.secret) v\(older.version) is encrypted to other recipients than rotor.yaml's and cannot be decrypted to re-encrypt it: \(error.message). Import a secret key of one of its recipients (\(older.recipients.joined(separator: ", "))) into the GnuPG home, or run `rotor rekey` first")
                }
                continue
            }
            if action.resource == .key {
                guard let spec = desired.keys[action.secret] else { throw EngineError("internal: no key spec for \(action.secret)") }
                let key = KeyMaterial.generate(type: spec.type)
                plaintexts.append(key.value)
                materials.append(key)
                continue
            }
            guard let spec = desired.secrets[action.secret] else { throw EngineError("internal: no spec for \(action.secret)") }
            materials.append(nil)
            if let external = spec.externalValue {
                do {
                    plaintexts.append(try context.decrypt(external))
                } catch let error as GPGError {
                    throw EngineError("\(spec.location.path): cannot decrypt the externally issued value to re-encrypt it to the recipients: \(error.message). Encrypt it to a key rotor holds (one of rotor.yaml's recipients)")
                }
            } else {
                plaintexts.append(ValueGenerator.generate(desired.generator(for: spec)))
            }
        }
        // Natively for cv25519 recipients, else in parallel gpg contexts (`Encryptor`).
        let ciphertexts = plaintexts.isEmpty ? [] : try Encryptor(homeDirectory: gpgHome).encrypt(plaintexts, to: desired.config.recipients)
        var fresh = zip(ciphertexts, materials).makeIterator()
        return try actions.indices.map { index in
            if let ciphertext = carried[index] {
                return IssuedValue(id: UUID().uuidString.lowercased(), ciphertext: ciphertext, keyHash: nil, keyHint: nil, reused: false)
            }
            if let candidate = reused[index] {
                return IssuedValue(id: candidate.versionID, ciphertext: candidate.valueEncrypted, keyHash: candidate.keyHash,
                                   keyHint: candidate.keyHint, reused: true)
            }
            guard let (ciphertext, material) = fresh.next() else { throw EngineError("internal: fewer ciphertexts than values") }
            return IssuedValue(id: UUID().uuidString.lowercased(), ciphertext: ciphertext, keyHash: material?.hash,
                               keyHint: material?.hint, reused: false)
        }
    }

    /// The pending version an action may reuse: same slot, same recipients, and still what the spec
    /// asks for (the same external value; a key of the same type), and not a rollback. Anything
    /// else is regenerated: a pending value was never pushed, so nobody can hold it.
    static func reusable(_ action: PlanAction, pending: [PendingVersion.Slot: PendingVersion], desired: DesiredState) -> PendingVersion? {
        // A rollback carries an older version's value, never one made for this number.
        guard action.rollbackTo == nil, let number = action.version, let candidate = pending[PendingVersion.Slot(action.resource, action.secret, number)],
              candidate.recipients == desired.config.recipients else { return nil }
        switch action.resource {
        case .secret:
            guard let spec = desired.secrets[action.secret], candidate.keyHash == nil,
                  candidate.source == (spec.isExternal ? "external" : "generated"),
                  candidate.sourceDigest == spec.externalValueDigest else { return nil }
        case .key:
            guard let spec = desired.keys[action.secret], candidate.keyHash != nil,
                  candidate.keyHint?.hasPrefix(spec.type.prefix) == true else { return nil }
        }
        return candidate
    }

    /// Makes sure every recipient's public key is in the keyring, importing `recipients/<FPR>.asc` from the repository when missing.
    func prepareKeyring(recipients: [String], shipped: [String: String]) throws {
        let context = try GPGContext(homeDirectory: gpgHome)
        for fingerprint in recipients where !context.hasPublicKey(fingerprint: fingerprint) {
            guard let armored = shipped[fingerprint] else {
                throw EngineError("no public key for recipient \(fingerprint): import it into the GnuPG home (\(gpgHome ?? ProcessInfo.processInfo.environment["GNUPGHOME"] ?? "~/.gnupg")) or commit recipients/\(fingerprint).asc (gpg --export --armor \(fingerprint))")
            }
            let imported = try context.importKeys(armored: armored)
            guard imported.contains(fingerprint) else {
                throw EngineError("recipients/\(fingerprint).asc does not hold the key \(fingerprint) (it holds \(imported.joined(separator: ", ")))")
            }
        }
    }
}

/// The value a create or rotate action gets: its version id and ciphertext (and an API key's hash and hint).
struct IssuedValue {
    let id: String
    let ciphertext: String
    let keyHash: String?
    let keyHint: String?
    /// Whether it came from a pending version rather than a fresh value.
    let reused: Bool
}

/// A freshly generated API key: the value (wiped when released), its hash and its hint.
struct KeyMaterial {
    let value: SecretBytes
    let hash: String
    let hint: String

    /// `<prefix><43 base62 characters>`: 256 bits of entropy after the type prefix.
    static func generate(type: ApiKeyType) -> KeyMaterial {
        let body = ValueGenerator.generate(GeneratorSpec(kind: .password, length: 43, charsetName: "alphanumeric"))
        var bytes = Array(type.prefix.utf8)
        body.withUnsafeBytes { bytes.append(contentsOf: $0) }
        defer { SecureWipe.wipe(&bytes) }
        let hint = String(decoding: bytes.prefix(type.prefix.utf8.count + 4), as: UTF8.self)
        return KeyMaterial(value: SecretBytes(bytes), hash: ApiKeyHash.of(bytes), hint: hint)
    }
}

/// How presented keys are compared: SHA-256, compared in constant time.
public enum ApiKeyHash {
    /// `sha256:<hex>` of a key's bytes.
    public static func of(_ bytes: [UInt8]) -> String {
        "sha256:" + HexEncoding.lowercase(SHA256.hash(data: bytes))
    }

    /// Compares two hashes without an early exit, so timing says nothing about where they differ.
    public static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8), b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// The author of the last commit that changed a path, looked up once per path.
struct AuthorCache {
    let repository: GitRepository
    let revision: ObjectID?
    private var cache: [String: String?] = [:]

    init(repository: GitRepository, revision: ObjectID?) {
        self.repository = repository
        self.revision = revision
    }

    /// Looks up the authors of `paths` at once (``GitRepository/lastCommitsChanging(paths:from:)``),
    /// each commit's author read once, so that ``author(of:)`` answers them from the cache.
    mutating func prefetch(_ paths: [String]) throws {
        let wanted = Array(Set(paths.filter { cache[$0] == nil }))
        guard let revision, !wanted.isEmpty else { return }
        let commits = try repository.lastCommitsChanging(paths: wanted, from: revision)
        var names: [ObjectID: String] = [:]
        for path in wanted {
            guard let commit = commits[path] else {
                cache.updateValue(nil, forKey: path)
                continue
            }
            if names[commit] == nil {
                let info = try repository.commitInfo(commit)
                names[commit] = "\(info.author.name) <\(info.author.email)>"
            }
            cache.updateValue(names[commit], forKey: path)
        }
    }

    mutating func author(of path: String) throws -> String? {
        if let cached = cache[path] { return cached }
        let author = try revision.flatMap { try repository.lastCommitChanging(path: path, from: $0) }.map { commit -> String in
            let info = try repository.commitInfo(commit)
            return "\(info.author.name) <\(info.author.email)>"
        }
        cache[path] = author
        return author
    }
}
