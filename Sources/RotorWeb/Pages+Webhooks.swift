import Foundation
import Hummingbird
import RotorAPIContract
import RotorServer

extension Pages {
    /// `GET /webhooks`: every endpoint the consumers declare, the secrets it hears about, whether
    /// it is disabled (with Enable), its last delivery, and its recent jobs when the key reads jobs.
    func webhooks(_ request: Request, _ context: ServerContext) async -> Response {
        await page(request, context) { visit in
            let webhooks = try await visit.call { [controlPlane] in try await controlPlane.listWebhooks(.init()).ok.body.json.webhooks }
            let jobs: [Components.Schemas.Job]? = visit.may("rotor:jobs:read")
                ? try await visit.call { [controlPlane] in try await controlPlane.listJobs(.init()).ok.body.json.jobs }
                : nil
            let now = visit.now, canManage = visit.may("rotor:webhooks:manage")
            let rows = webhooks.enumerated().map { index, hook -> [String: Any] in
                let recent = (jobs ?? []).filter { $0.service == hook.service && $0.url == hook.url }.prefix(5)
                return [
                    "anchor": "webhook-\(index + 1)", "service": hook.service, "url": hook.url, "secrets": hook.secrets.joined(separator: ", "),
                    "disabled": hook.disabled, "disabledAt": TimeView(hook.disabledAt, now: now) as Any,
                    "disabledReason": hook.disabledReason as Any,
                    "lastDelivery": hook.lastDelivery.map { Self.attemptView($0, now: now) } as Any,
                    "recent": recent.map { job -> [String: Any] in
                        ["short": String(job.id.prefix(12)), "status": job.status.rawValue, "event": job.eventType as Any, "secret": job.secret as Any,
                         "attempts": job.attempts, "updatedAt": TimeView(job.updatedAt, now: now), "lastError": job.lastError as Any]
                    },
                    "hasRecent": !recent.isEmpty, "canEnable": canManage && hook.disabled,
                ]
            }
            return PageView(template: "webhooks", title: "Webhooks", section: .webhooks, model: [
                "webhooks": rows, "hasWebhooks": !rows.isEmpty, "jobsHidden": jobs == nil,
            ])
        }
    }

    /// `POST /webhooks/{service}/enable` → `enableWebhook`.
    func enableWebhook(_ request: Request, _ context: ServerContext) async -> Response {
        let service = context.parameters.get("service") ?? ""
        return await action(request, context) { visit, _ in
            let hooks = try await visit.call { [controlPlane] in try await controlPlane.enableWebhook(.init(path: .init(service: service))).ok.body.json.webhooks }
            return .redirect("/webhooks", Flash(kind: .success, text: "Enabled \(service)'s webhook\(hooks.count == 1 ? "" : "s"): deliveries to \(hooks.map(\.url).joined(separator: ", ")) resume at the next pass."))
        }
    }
}
