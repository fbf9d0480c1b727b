import Foundation
import RotorCore
import RotorCrypto
import RotorGit
import RotorSpecs

/// A commit that changes specs or versions without a trusted signature.
public struct SignatureViolation: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The commit.
    public let commit: String
    /// Its subject line.
    public let subject: String
    /// Why it is refused.
    public let reason: String

    /// `abc1234 "subject": reason`.
    public var description: String { "commit \(commit.prefix(7)) \"\(subject)\": \(reason)" }
}

/// Checks that every commit changing what rotor acts on is signed by a trusted key.
///
/// Which keys are trusted for a commit is read from `rotor.yaml` in the commit's *parent*
/// (what was trusted before the change), or in the commit itself when it is the one that
/// introduces `signing.trustedSigners` — so removing a signer needs a trusted signature too.
/// Commits made before any signer was configured are not checked. Signatures are verified in a
/// private keyring holding only the trusted keys (from `signers/`, `recipients/` or the local
/// keyring), so a signature by any other key is never accepted.
struct SignaturePolicy {
    /// Paths whose changes must be signed.
    static let guardedPrefixes = ["rotor.yaml", "policies/", "secrets/", "keys/", "versions/", "recipients/", "signers/"]

    let repository: GitRepository
    let gpgHome: String?

    /// The violations among the commits reachable from `head` and not from `base` (all history when nil).
    func violations(head: ObjectID, since base: ObjectID?) throws -> [SignatureViolation] {
        // rotor.yaml rarely changes: look its blob up per commit, parse each distinct blob once.
        var configCache: [ObjectID: RepoConfig?] = [:]
        func config(at commit: ObjectID) throws -> RepoConfig? {
            guard let entry = try repository.treeFiles(at: commit, under: [SpecLoader.configPath]).first else { return nil }
            if let cached = configCache[entry.blob] { return cached }
            let loaded = SpecLoader.loadConfig(SourceFile(path: SpecLoader.configPath, bytes: try repository.blob(entry.blob)))
            configCache[entry.blob] = loaded
            return loaded
        }
        var verifier: Verifier?
        var result: [SignatureViolation] = []
        for commit in try repository.commits(from: head, excluding: base) {
            let info = try repository.commitInfo(commit)
            let before = try info.parents.first.flatMap { try config(at: $0) }?.trustedSigners ?? []
            let signers = before.isEmpty ? (try config(at: commit)?.trustedSigners ?? []) : before
            guard !signers.isEmpty else { continue }
            let paths = try repository.changedPaths(in: commit)
            guard paths.contains(where: { path in Self.guardedPrefixes.contains { path == $0 || path.hasPrefix($0) } }) else { continue }
            let subject = String(info.message.prefix { $0 != "\n" })
            guard let signed = try repository.commitSignature(commit) else {
                result.append(SignatureViolation(commit: commit.hex, subject: subject, reason: "changes \(Self.summary(paths)) but is not signed; trusted signers: \(signers.joined(separator: ", "))"))
                continue
            }
            if verifier == nil { verifier = try Verifier(keys: publicKeys(at: head), localHome: gpgHome) }
            let valid = try verifier?.verify(signed.signature, data: signed.signedData) ?? []
            if !valid.contains(where: signers.contains) {
                let why = valid.isEmpty ? "its signature is not valid or is by a key that is not trusted" : "it is signed by \(valid.joined(separator: ", ")), which is not a trusted signer"
                result.append(SignatureViolation(commit: commit.hex, subject: subject, reason: "\(why); trusted signers: \(signers.joined(separator: ", "))"))
            }
        }
        return result
    }

    /// Armored public keys shipped in the repository at `commit`.
    private func publicKeys(at commit: ObjectID) throws -> [String] {
        try repository.treeFiles(at: commit, under: ["signers", "recipients"]).filter { $0.path.hasSuffix(".asc") }.map {
            String(decoding: try repository.blob($0.blob), as: UTF8.self)
        }
    }

    static func summary(_ paths: [String]) -> String {
        paths.count <= 2 ? paths.joined(separator: ", ") : "\(paths[0]) and \(paths.count - 1) more paths"
    }

    /// A private keyring with the candidate signer keys; verification never touches the user's keyring.
    final class Verifier {
        let home: TemporaryGPGHome
        let context: GPGContext

        init(keys: [String], localHome: String?) throws {
            home = try TemporaryGPGHome()
            context = try GPGContext(homeDirectory: home.path)
            for key in keys { _ = try? context.importKeys(armored: key) }
            // Keys the operator has locally (e.g. rotor's own signing key) are candidates too.
            let local = try GPGContext(homeDirectory: localHome)
            for fingerprint in (try? local.secretKeyFingerprints()) ?? [] {
                if let armored = try? local.exportPublicKey(fingerprint: fingerprint) { _ = try? context.importKeys(armored: armored) }
            }
        }

        func verify(_ signature: String, data: [UInt8]) throws -> [String] {
            (try? context.verifyDetached(signature: signature, data: data)) ?? []
        }
    }
}
