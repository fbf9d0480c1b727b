import Foundation
import Hummingbird
import RotorAPIContract
import RotorServer

extension Pages {
    /// The most jobs the page lists with their attempts (newest first); the rest are counted.
    static let jobsShown = 100

    /// `GET /jobs?status=…`: delivery jobs with their attempts (status, latency, error), and
    /// Retry (failed, cancelled or pending) and Cancel (pending).
    func jobs(_ request: Request, _ context: ServerContext) async -> Response {
        await page(request, context) { visit in
            let status = Form(visit.request.uri.query)["status"].flatMap(Components.Schemas.JobStatus.init(rawValue:))
            let jobs = try await visit.call { [controlPlane] in try await controlPlane.listJobs(.init(query: .init(status: status))).ok.body.json.jobs }
            let now = visit.now, canManage = visit.may("rotor:jobs:manage")
            var rows: [[String: Any]] = []
            for job in jobs.prefix(Self.jobsShown) {
                let id = job.id
                let attempts = try await visit.call { [controlPlane] in try await controlPlane.getJob(.init(path: .init(id: id))).ok.body.json.attempts }
                rows.append(Self.jobView(job, attempts: attempts, now: now, canManage: canManage))
            }
            let statuses = Components.Schemas.JobStatus.allCases.map { ["value": $0.rawValue, "selected": $0 == status] as [String: Any] }
            return PageView(template: "jobs", title: "Jobs", section: .jobs, model: [
                "jobs": rows, "hasJobs": !rows.isEmpty, "statuses": statuses, "status": status?.rawValue as Any,
                "more": (jobs.count > Self.jobsShown ? jobs.count - Self.jobsShown : nil) as Int? as Any,
            ])
        }
    }

    static func jobView(_ job: Components.Schemas.Job, attempts: [Components.Schemas.Attempt], now: Date, canManage: Bool) -> [String: Any] {
        [
            "id": job.id, "short": String(job.id.prefix(12)), "type": job._type, "status": job.status.rawValue,
            "secret": job.secret as Any, "service": job.service as Any, "url": job.url as Any, "event": job.eventType as Any,
            "attemptCount": job.attempts, "maxAttempts": job.maxAttempts, "runAt": TimeView(job.runAt, now: now),
            "updatedAt": TimeView(job.updatedAt, now: now), "lastError": job.lastError as Any,
            "attempts": attempts.map { attemptView($0, now: now) }, "hasAttempts": !attempts.isEmpty,
            "canRetry": canManage && [.failed, .cancelled, .pending].contains(job.status),
            "canCancel": canManage && job.status == .pending,
        ]
    }

    /// `POST /jobs/{id}/retry` → `retryJob`.
    func retryJob(_ request: Request, _ context: ServerContext) async -> Response {
        let id = context.parameters.get("id") ?? ""
        return await action(request, context) { visit, _ in
            let job = try await visit.call { [controlPlane] in try await controlPlane.retryJob(.init(path: .init(id: id))).ok.body.json }
            return .redirect("/jobs", Flash(kind: .success, text: "Job \(job.id.prefix(12)) is \(job.status.rawValue) again: it is delivered at the next pass (up to \(job.maxAttempts) attempts)."))
        }
    }

    /// `POST /jobs/{id}/cancel` → `cancelJob`.
    func cancelJob(_ request: Request, _ context: ServerContext) async -> Response {
        let id = context.parameters.get("id") ?? ""
        return await action(request, context) { visit, _ in
            let job = try await visit.call { [controlPlane] in try await controlPlane.cancelJob(.init(path: .init(id: id))).ok.body.json }
            return .redirect("/jobs", Flash(kind: .success, text: "Job \(job.id.prefix(12)) is \(job.status.rawValue): it will not be delivered unless retried."))
        }
    }
}
