import Dispatch
import Foundation
import Logging
import RotorCore
import RotorEngine
import RotorGit
import RotorWebhooks

/// An imperative change the control plane was asked for: one that rotor performs anyway, so it
/// acts directly and commits as the command line does (specs change through proposals instead).
package enum WriteAction: Sendable {
    /// Rotate a secret or an API key now.
    case rotate(SecretID, PlanAction.Resource, reason: String)
    /// Make a version still in grace live again, as a new version.
    case rollback(SecretID, toVersion: Int?, reason: String, expireCurrent: Bool)
    /// Revoke every valid version of an API key now.
    case revoke(SecretID, reason: String)
}

/// Performs writes: ``LocalWriter`` for `rotor serve` (commits to the repository it serves),
/// the daemon's own for `rotor daemon` (a pass that fetches, commits and pushes).
package protocol ControlPlaneWriter: Sendable {
    /// Applies `action` as `actor` at `now` and returns what was applied.
    func perform(_ action: WriteAction, actor: String, now: Date) async throws -> ApplyResult
    /// Writes `change` as a proposal branch (pushed to the remote under the daemon).
    func propose(_ change: ProposedChange, reason: String, actor: String, now: Date) async throws -> Proposal
}

extension ProposedChange {
    /// Who asked, as a proposal commit's author: the API key and its services.
    package static func author(_ actor: String) -> RepoConfig.Identity {
        RepoConfig.Identity(name: actor, email: "api@rotor.invalid")
    }
}

extension WriteAction {
    /// Applies the action through `engine` (the same call `rotor rotate`, `rollback` and `revoke` make).
    package func apply(with engine: Engine, now: Date, holding lock: StateLock? = nil,
                       publish: ((ObjectID) throws -> Void)? = nil) throws -> ApplyResult {
        switch self {
        case .rotate(let id, .secret, let reason):
            return try engine.apply(now: now, forced: [id: reason], only: PlanTarget(id, .secret), holding: lock, publish: publish)
        case .rotate(let id, .key, let reason):
            return try engine.apply(now: now, forcedKeys: [id: reason], only: PlanTarget(id, .key), holding: lock, publish: publish)
        case .rollback(let id, let toVersion, let reason, let expireCurrent):
            return try engine.rollback(id, to: toVersion, reason: reason, expireCurrent: expireCurrent, now: now, holding: lock, publish: publish)
        case .revoke(let id, let reason):
            return try engine.apply(now: now, revocations: [id: reason], only: PlanTarget(id, .key), holding: lock, publish: publish)
        }
    }
}

/// Writes for `rotor serve`: one at a time, committed to the served repository, then the
/// webhooks they queued delivered in the background (as `rotor rotate` delivers after its commit).
package final class LocalWriter: ControlPlaneWriter {
    private let configuration: ControlPlaneConfiguration
    private let logger: Logger
    private let queue = DispatchQueue(label: "rotor.control-plane.writes")

    package init(configuration: ControlPlaneConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    package func perform(_ action: WriteAction, actor: String, now: Date) async throws -> ApplyResult {
        let result = try await serially(actor: actor) { engine in try action.apply(with: engine, now: now) }
        for repair in result.repairs { logger.notice("repaired", metadata: ["repair": "\(repair)"]) }
        if result.commit != nil { deliverInBackground() }
        return result
    }

    package func propose(_ change: ProposedChange, reason: String, actor: String, now: Date) async throws -> Proposal {
        try await serially(actor: actor) { engine in
            try engine.propose(change, reason: reason, now: now, author: ProposedChange.author(actor))
        }
    }

    /// Runs `body` with an engine acting as `actor`, one write at a time, off Swift's cooperative threads.
    private func serially<T: Sendable>(actor: String, _ body: @escaping @Sendable (Engine) throws -> T) async throws -> T {
        let configuration = self.configuration
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result {
                    try body(Engine(repositoryPath: configuration.repositoryPath, statePath: configuration.statePath,
                                    actor: actor, gpgHome: configuration.gpgHome))
                })
            }
        }
    }

    /// Delivers due webhooks after a commit, without holding up the answer.
    private func deliverInBackground() {
        let configuration = self.configuration
        let logger = self.logger
        Task.detached {
            do {
                let engine = try Engine(repositoryPath: configuration.repositoryPath, statePath: configuration.statePath,
                                        gpgHome: configuration.gpgHome)
                let report = try await engine.deliverAfterApply(clock: configuration.deliveryClock, options: DeliveryOptions())
                logger.info("webhooks delivered after a write", metadata: ["results": "\(report.results.count)"])
            } catch {
                logger.warning("webhook delivery after a write failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
