import Foundation
import Logging
import RotorCore
import RotorEngine
import RotorGit

extension Reconciler {
    /// Writes a proposal branch in the clone and pushes it to the remote (never the reconciled
    /// branch): the control plane's spec changes under the daemon.
    ///
    /// The branch starts from the clone's head after a fetch has lined it up with the remote
    /// (waiting for a running pass's reconcile step, like a write).
    package func propose(_ change: ProposedChange, reason: String, author: RepoConfig.Identity, now: Date) throws -> Proposal {
        exclusive.lock()
        defer { exclusive.unlock() }
        var log = logger
        let engine = try prepare(logger: log)
        let lock = try StateLock(storePath: engine.statePath)
        defer { withExtendedLifetime(lock) {} }
        _ = try sync(engine: engine, lock: lock, now: now, logger: &log)
        let proposal = try engine.propose(change, reason: reason, now: now, author: author)
        try engine.repository.push(remote: configuration.remoteName, branch: proposal.branch,
                                   credential: DisplayURL.withoutCredential(configuration.remote).credential)
        log.info("proposal pushed", metadata: ["branch": "\(proposal.branch)", "commit": "\(proposal.commit)"])
        return proposal
    }
}
