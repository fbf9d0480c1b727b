import Foundation
import Logging
import RotorCore
import RotorEngine
import RotorServer

extension Reconciler {
    /// Performs a write the control plane asked for as a pass of its own over the clone: fetch,
    /// line the branch up with the remote, apply the action as `actor`, push (re-planning on the
    /// remote's new head when it moved), then the store — so a write through the daemon's API is
    /// on the remote before it is answered, exactly like a scheduled rotation.
    ///
    /// Waits for a running pass's reconcile part; the webhooks it queued go out with the next
    /// delivery step (``WebhookDelivery``), which the caller starts at once.
    ///
    /// - Throws: The engine's error for the action (unknown secret, nothing in grace…), or a
    ///   ``DaemonWriteFailure`` when the pass itself failed (fetch, push, invalid specs).
    package func perform(_ action: WriteAction, actor: String, now: Date) throws -> ApplyResult {
        exclusive.lock()
        defer { exclusive.unlock() }
        var report = PassReport(number: 0, now: now)
        var log = logger
        log[metadataKey: "write"] = "\(actor)"
        var result: Result<ApplyResult, any Error>?
        reconcile(now: now, stop: StopFlag(), logger: &log, report: &report) { [configuration] _, lock, publish in
            // An engine of its own, so commits, versions and the audit log name the caller.
            let engine = try Engine(repositoryPath: configuration.resolvedWorkdir, statePath: configuration.resolvedStatePath,
                                    actor: actor, gpgHome: configuration.gpgHome)
            do {
                let applied = try action.apply(with: engine, now: now, holding: lock, publish: publish)
                result = .success(applied)
                return applied
            } catch let error as EngineError {
                result = .failure(error)
                throw error
            }
        }
        if case .failure(let error)? = result { throw error }
        guard case .success(let applied)? = result, report.outcome == .applied || report.outcome == .unchanged else {
            throw DaemonWriteFailure(outcome: report.outcome, problem: report.problem ?? "the pass did not apply")
        }
        return applied
    }
}

/// A control-plane write through the daemon whose pass failed before or after the action.
public struct DaemonWriteFailure: Error, CustomStringConvertible {
    public let outcome: PassOutcome
    public let problem: String
    public var description: String { "\(outcome.rawValue): \(problem)" }
}

/// The control plane's writes under the daemon: each one a pass of its own (see
/// ``Reconciler/perform(_:actor:now:)``), its webhooks delivered right after.
package final class DaemonWriter: ControlPlaneWriter {
    let reconciler: Reconciler

    package init(reconciler: Reconciler) {
        self.reconciler = reconciler
    }

    package func perform(_ action: WriteAction, actor: String, now: Date) async throws -> ApplyResult {
        let reconciler = self.reconciler
        let result = try await BlockingWork.run { Result { try reconciler.perform(action, actor: actor, now: now) } }.get()
        if result.commit != nil {
            Task.detached {
                var report = PassReport(number: 0, now: now)
                await reconciler.deliver(stop: StopFlag(), logger: reconciler.logger, report: &report)
            }
        }
        return result
    }

    package func propose(_ change: ProposedChange, reason: String, actor: String, now: Date) async throws -> Proposal {
        let reconciler = self.reconciler
        return try await BlockingWork.run {
            Result { try reconciler.propose(change, reason: reason, author: ProposedChange.author(actor), now: now) }
        }.get()
    }
}
