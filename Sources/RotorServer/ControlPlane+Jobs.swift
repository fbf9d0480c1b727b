import RotorAPIContract
import Foundation
import RotorCore
import RotorEngine
import RotorStore

extension ControlPlane {
    package func listJobs(_ input: Operations.ListJobs.Input) async throws -> Operations.ListJobs.Output {
        _ = try await authorize(.jobsRead)
        let status = input.query.status.flatMap { JobStatus(rawValue: $0.rawValue) }
        let now = self.now
        let jobs = try await blocking { [self] in try engine().jobs(status: status, now: now) }
        return .ok(.init(body: .json(.init(jobs: jobs.map(Self.job)))))
    }

    package func getJob(_ input: Operations.GetJob.Input) async throws -> Operations.GetJob.Output {
        _ = try await authorize(.jobsRead)
        let id = input.path.id, now = self.now
        try ContractChecks.length(id, "id", max: 64, min: 1)
        let detail = try await jobCall { engine in try engine.job(id, now: now) }
        return .ok(.init(body: .json(.init(job: Self.job(detail.job), attempts: detail.attempts.map(Self.attempt)))))
    }

    package func retryJob(_ input: Operations.RetryJob.Input) async throws -> Operations.RetryJob.Output {
        let caller = try await authorize(.jobsManage)
        let id = input.path.id, now = self.now
        try ContractChecks.length(id, "id", max: 64, min: 1)
        let (job, _) = try await jobCall(actor: caller.actor) { engine in try engine.retryJob(id, now: now) }
        return .ok(.init(body: .json(Self.job(job))))
    }

    package func cancelJob(_ input: Operations.CancelJob.Input) async throws -> Operations.CancelJob.Output {
        let caller = try await authorize(.jobsManage)
        let id = input.path.id, now = self.now
        try ContractChecks.length(id, "id", max: 64, min: 1)
        let job = try await jobCall(actor: caller.actor) { engine in try engine.cancelJob(id, now: now) }
        return .ok(.init(body: .json(Self.job(job))))
    }

    /// Runs a jobs call; an unknown id is 404, a job in the wrong state 409.
    private func jobCall<T: Sendable>(actor: String? = nil, _ body: @escaping @Sendable (Engine) throws -> T) async throws -> T {
        do {
            return try await blocking { [self] in try body(engine(actor: actor)) }
        } catch {
            let text = "\(error)"
            if text.hasPrefix("no job") { throw APIProblem.notFound(text) }
            if error is StoreError || error is EngineError { throw APIProblem.conflict(text) }
            throw error
        }
    }

    static func job(_ record: JobRecord) -> Components.Schemas.Job {
        let delivery = record.delivery
        return .init(id: record.id, _type: record.type, status: .init(rawValue: record.status.rawValue) ?? .failed,
                     secret: delivery?.secretID, service: delivery?.service, url: delivery.map { DisplayURL.redacted($0.url) },
                     eventType: delivery?.eventType, attempts: record.attempts, maxAttempts: record.maxAttempts, runAt: record.runAt,
                     lastError: record.lastError, createdAt: record.createdAt, updatedAt: record.updatedAt)
    }

    static func attempt(_ record: DeliveryAttemptRecord) -> Components.Schemas.Attempt {
        .init(attempt: record.attempt, url: DisplayURL.redacted(record.url), startedAt: record.startedAt, finishedAt: record.finishedAt,
              statusCode: record.statusCode, latencyMs: record.latencyMS, error: record.error)
    }
}
