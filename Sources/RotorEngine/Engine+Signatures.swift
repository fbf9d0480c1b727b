import Foundation
import RotorCore
import RotorCrypto
import RotorGit
import RotorStore

extension Engine {
    /// Refuses to act when a commit since the last verified revision breaks the signature policy.
    ///
    /// The store remembers the last revision that passed (`verified_revision`); without a store,
    /// or when history was rewritten past it, the whole history is checked.
    /// - Returns: The revision that is now verified.
    @discardableResult
    func enforceSignatures(head: ObjectID) throws -> ObjectID {
        let recorded = try StateStore.openReadOnly(path: statePath)?.verifiedRevision().flatMap(ObjectID.init(hex:))
        let base = try recorded.flatMap { try repository.isAncestor($0, of: head) ? $0 : nil }
        try enforceSignatures(head: head, since: base)
        return head
    }

    /// Refuses to act when a commit in `base..head` breaks the signature policy.
    func enforceSignatures(head: ObjectID, since base: ObjectID?) throws {
        let violations = try SignaturePolicy(repository: repository, gpgHome: gpgHome).violations(head: head, since: base)
        guard violations.isEmpty else {
            throw EngineError("refusing to act on \(head.short): \(violations.count) commit\(violations.count == 1 ? "" : "s") without a trusted signature\n"
                + violations.map { "  \($0)" }.joined(separator: "\n"))
        }
    }

    /// Signs rotor's own commits when `signing.key` is configured.
    func commitSigner(_ config: RepoConfig) -> (([UInt8]) throws -> String)? {
        guard let key = config.signingKey else { return nil }
        let home = gpgHome
        return { bytes in try RotorCrypto.GPGContext(homeDirectory: home).signDetached(bytes, signer: key) }
    }
}
