import Foundation
import RotorCore
import RotorCrypto
import RotorSpecs

extension Engine {
    /// The new version files a plan produces and the git changes that write them.
    struct Materialized {
        var files: [SecretID: VersionFile]
        var changes: [String: [UInt8]?]
    }

    /// Executes the git side of a plan in memory: new values are generated and encrypted,
    /// external values re-encrypted to the recipients, expired versions dropped.
    ///
    /// Nothing is written here; a failure leaves git and the store untouched.
    func materialize(plan: Plan, desired: DesiredState, files: [SecretID: VersionFile], snapshot: Snapshot,
                     now: Date) throws -> Materialized {
        let recipients = desired.config.recipients
        var files = files
        var touched = Set<SecretID>()
        let newVersions = plan.actions.filter { $0.kind == .create || $0.kind == .rotate }
        let ciphertexts = try encryptValues(for: newVersions, desired: desired, snapshot: snapshot)
        for (action, ciphertext) in zip(newVersions, ciphertexts) {
            guard let spec = desired.secrets[action.secret], let number = action.version else { continue }
            var file = files[action.secret] ?? VersionFile(secret: action.secret, versions: [])
            if action.kind == .rotate {
                for index in file.versions.indices where file.versions[index].state == .active {
                    file.versions[index].state = .grace
                    file.versions[index].graceExpiresAt = action.graceExpiresAt
                }
            }
            let version = SecretVersion(id: UUID().uuidString.lowercased(), version: number, state: .active, createdAt: now,
                                        createdBy: action.cause == .manual ? actor : "rotor", rotatedFrom: action.fromVersion,
                                        rotationReason: action.reason, graceExpiresAt: nil,
                                        source: spec.isExternal ? .external : .generated,
                                        sourceDigest: spec.externalValueDigest, recipients: recipients,
                                        valueEncrypted: VersionFile.canonicalArmor(ciphertext))
            file = VersionFile(secret: action.secret, versions: file.versions + [version])
            files[action.secret] = file
            touched.insert(action.secret)
        }
        for action in plan.actions {
            switch action.kind {
            case .expire:
                guard var file = files[action.secret] else { continue }
                file.versions.removeAll { $0.version == action.version && $0.state == .grace }
                files[action.secret] = file
                touched.insert(action.secret)
            case .delete:
                files[action.secret] = nil
                touched.insert(action.secret)
            case .create, .rotate, .warn:
                continue
            }
        }
        var changes: [String: [UInt8]?] = [:]
        for id in touched {
            // updateValue, because assigning nil through a subscript would drop the deletion.
            changes.updateValue(files[id].map { Array($0.canonicalText().utf8) }, forKey: VersionFile.path(for: id))
        }
        return Materialized(files: files, changes: changes)
    }

    /// Encrypts one fresh value per create/rotate action, in action order, in parallel gpg contexts.
    private func encryptValues(for actions: [PlanAction], desired: DesiredState, snapshot: Snapshot) throws -> [String] {
        guard !actions.isEmpty else { return [] }
        try prepareKeyring(recipients: desired.config.recipients, shipped: snapshot.recipientKeys)
        var plaintexts: [SecretBytes] = []
        plaintexts.reserveCapacity(actions.count)
        let context = try GPGContext(homeDirectory: gpgHome)
        for action in actions {
            guard let spec = desired.secrets[action.secret] else { throw EngineError("internal: no spec for \(action.secret)") }
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
        let pool = GPGEncryptionPool(homeDirectory: gpgHome)
        return try pool.encrypt(plaintexts, to: desired.config.recipients)
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
