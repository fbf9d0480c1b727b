import Foundation
import Hummingbird
import RotorAPIContract
import RotorCore
import RotorServer

extension Pages {
    /// The secrets list (`/` signed in): every secret, filtered by project and name, in natural
    /// order (as `listSecrets` answers), and the form that proposes a new one.
    func secretsList(_ visit: Visit) async throws -> PageView {
        let query = Form(visit.request.uri.query)
        let project = query["project"], name = query["name"]
        let all = try await visit.call { [controlPlane] in
            try await controlPlane.listSecrets(.init(query: .init())).ok.body.json.secrets
        }
        let shown = all.filter { secret in
            (project == nil || secret.project == project) && (name.map { secret.name.localizedCaseInsensitiveContains($0) } ?? true)
        }
        let now = visit.now
        let rows = shown.map { secret -> [String: Any] in
            [
                "id": secret.id, "href": "/secrets/\(secret.project)/\(secret.name)", "policy": secret.policy,
                "external": secret.source == .external, "version": secret.version.map { "v\($0)" } as Any,
                "lastRotated": TimeView(secret.lastRotated, now: now) as Any, "nextDue": TimeView(secret.nextDue, now: now) as Any,
                "grace": secret.graceVersions.map { grace -> [String: Any] in
                    ["version": grace.version, "until": TimeView(grace.graceExpiresAt, now: now) as Any,
                     "left": grace.graceExpiresAt.map { Formatting.left(until: $0, now: now) } ?? "until the next apply"]
                },
                "consumers": (secret.consumers.isEmpty ? nil : secret.consumers.joined(separator: ", ")) as String? as Any,
            ]
        }
        let projects = Set(all.map(\.project)).sorted(by: NaturalOrder.less).map { ["name": $0, "selected": $0 == project] as [String: Any] }
        return PageView(template: "secrets", title: "Secrets", section: .secrets, model: [
            "rows": rows, "count": shown.count, "total": all.count, "filtered": project != nil || name != nil,
            "projects": projects, "nameFilter": name as Any,
            "policies": Set(all.map(\.policy)).sorted().map { ["name": $0] },
            "canPropose": visit.may("rotor:proposals:write"),
        ])
    }

    /// A secret's page: its versions as a timeline, its consumers and their webhooks, and the
    /// forms that act on it (rotate, roll back, reveal, propose its deletion), each shown to keys
    /// whose scopes allow it. `revealed` is the value a Reveal just read (shown for 30 seconds).
    func secretPage(_ visit: Visit, project: String, name: String,
                    revealed: Components.Schemas.SecretValue? = nil) async throws -> PageView {
        let detail = try await visit.call { [controlPlane] in
            try await controlPlane.getSecret(.init(path: .init(project: project, name: name))).ok.body.json
        }
        let consumers = try await visit.call { [controlPlane] in
            try await controlPlane.listSecretConsumers(.init(path: .init(project: project, name: name))).ok.body.json.consumers
        }
        let webhooks: [Components.Schemas.Webhook]? = visit.may("rotor:webhooks:read")
            ? try await visit.call { [controlPlane] in try await controlPlane.listWebhooks(.init()).ok.body.json.webhooks }
            : nil
        let now = visit.now, secret = detail.secret
        let liveGrace = detail.versions.filter { $0.state == .grace && ($0.graceExpiresAt.map { $0 > now } ?? true) }
        let timeline = detail.versions.map { version -> [String: Any] in
            [
                "version": version.version, "state": version.state.rawValue, "createdAt": TimeView(version.createdAt, now: now),
                "createdBy": version.createdBy, "reason": version.reason, "rotatedFrom": version.rotatedFrom as Any,
                "graceEnds": TimeView(version.graceExpiresAt, now: now) as Any,
                "graceLeft": (version.state == .grace ? version.graceExpiresAt.map { Formatting.left(until: $0, now: now) } : nil) as String? as Any,
                "expiredAt": TimeView(version.expiredAt, now: now) as Any, "commit": Formatting.short(version.commit) as Any,
            ]
        }
        let consumerRows = consumers.map { consumer -> [String: Any] in
            let url = consumer.webhook.map(DisplayURL.redacted)
            let hook = webhooks?.first { $0.service == consumer.service && $0.url == url }
            return [
                "service": consumer.service, "webhook": url as Any, "lastUsed": TimeView(consumer.lastUsedAt, now: now) as Any,
                "webhookKnown": webhooks != nil && url != nil,
                "disabled": hook?.disabled ?? false, "disabledReason": hook?.disabledReason as Any,
                "lastDelivery": hook?.lastDelivery.map { Self.attemptView($0, now: now) } as Any,
            ]
        }
        let identity = visit.identity
        let heldByConsumer = identity.map { identity in identity.services.contains { secret.consumers.contains($0) } } ?? false
        let mayReveal = visit.may("rotor:values:read") && (identity?.isAdmin == true || heldByConsumer)
        var readable = detail.versions.filter { $0.state == .active }.map { ["version": $0.version, "label": "v\($0.version) (active)"] as [String: Any] }
        readable += liveGrace.map { ["version": $0.version, "label": "v\($0.version) (in grace)"] as [String: Any] }
        var model: [String: Any] = [
            "id": secret.id, "project": secret.project, "name": secret.name, "policy": secret.policy,
            "external": secret.source == .external, "version": secret.version as Any,
            "lastRotated": TimeView(secret.lastRotated, now: now) as Any, "nextDue": TimeView(secret.nextDue, now: now) as Any,
            "base": "/secrets/\(secret.project)/\(secret.name)",
            "timeline": timeline, "consumers": consumerRows, "hasConsumers": !consumerRows.isEmpty,
            "webhooksHidden": webhooks == nil,
            "canRotate": visit.may("rotor:secrets:rotate") && secret.source == .generated,
            "rotateNote": secret.source == .external ? "An external secret's value comes from its spec: change it there." : "Rotating needs rotor:secrets:rotate.",
            "canRollback": visit.may("rotor:secrets:rollback") && !liveGrace.isEmpty,
            "rollbackNote": liveGrace.isEmpty ? "No version is in its grace period: there is nothing to roll back to." : "Rolling back needs rotor:secrets:rollback.",
            "rollbackTargets": liveGrace.map { grace -> [String: Any] in
                ["version": grace.version, "label": "v\(grace.version), " + (grace.graceExpiresAt.map { "grace ends \(Formatting.stamp($0)) (\(Formatting.left(until: $0, now: now)))" } ?? "in grace")]
            },
            "canReveal": mayReveal && !readable.isEmpty, "readable": readable,
            "revealNote": readable.isEmpty ? "There is no value yet: rotor has not applied this secret."
                : "Reveal needs rotor:values:read and a key held by a consumer of this secret (\(secret.consumers.isEmpty ? "it has none" : secret.consumers.joined(separator: ", "))), or rotor:admin.",
            "canPropose": visit.may("rotor:proposals:write"),
            "revealSeconds": 30,
        ]
        if let revealed {
            model["revealed"] = ["value": revealed.value, "version": revealed.version]
        }
        return PageView(template: "secret", title: secret.id, section: .secrets, model: model)
    }

    /// `GET /secrets/{project}/{name}`.
    func secret(_ request: Request, _ context: ServerContext) async -> Response {
        let (project, name) = Self.pathName(context)
        return await page(request, context) { visit in try await secretPage(visit, project: project, name: name) }
    }

    /// `POST /secrets/{project}/{name}/rotate` → `rotateSecret`.
    func rotateSecret(_ request: Request, _ context: ServerContext) async -> Response {
        let (project, name) = Self.pathName(context)
        return await action(request, context) { visit, form in
            let reason = try form.required("reason", "A reason")
            let rotation = try await visit.call { [controlPlane] in
                try await controlPlane.rotateSecret(.init(path: .init(project: project, name: name), body: .json(.init(reason: reason)))).ok.body.json
            }
            return .redirect("/secrets/\(project)/\(name)", Flash(kind: .success, text: Self.describe(rotation, verb: "Rotated", now: visit.now)))
        }
    }

    /// `POST /secrets/{project}/{name}/rollback` → `rollbackSecret`.
    func rollbackSecret(_ request: Request, _ context: ServerContext) async -> Response {
        let (project, name) = Self.pathName(context)
        return await action(request, context) { visit, form in
            let reason = try form.required("reason", "A reason")
            let target = form["toVersion"].flatMap(Int.init)
            let expire = form.checked("expireCurrent")
            let rotation = try await visit.call { [controlPlane] in
                try await controlPlane.rollbackSecret(.init(path: .init(project: project, name: name),
                                                            body: .json(.init(reason: reason, toVersion: target, expireCurrent: expire)))).ok.body.json
            }
            var text = Self.describe(rotation, verb: "Rolled back", now: visit.now)
            if expire { text += " The replaced version expired at once." }
            return .redirect("/secrets/\(project)/\(name)", Flash(kind: .success, text: text))
        }
    }

    /// `POST /secrets/{project}/{name}/reveal` → `getSecretValue` (authorised by the consumer
    /// list and audited before the value leaves). Answers with the page itself, the value shown
    /// for 30 seconds, rather than a redirect: the value is never kept between requests.
    func reveal(_ request: Request, _ context: ServerContext) async -> Response {
        let (project, name) = Self.pathName(context)
        return await action(request, context) { visit, form in
            let version = form["version"].flatMap(Int.init)
            let value = try await visit.call { [controlPlane] in
                try await controlPlane.getSecretValue(.init(path: .init(project: project, name: name), query: .init(version: version))).ok.body.json
            }
            return .page(try await secretPage(visit, project: project, name: name, revealed: value))
        }
    }

    /// The project and name of a `/secrets/{project}/{name}/…` or `/keys/{project}/{name}/…` path.
    static func pathName(_ context: ServerContext) -> (String, String) {
        (context.parameters.get("project") ?? "", context.parameters.get("name") ?? "")
    }

    /// `Rotated payments/db-password to v3 (from v2, which keeps working until …). …`
    static func describe(_ rotation: Components.Schemas.Rotation, verb: String, now: Date) -> String {
        var text = "\(verb) \(rotation.secret) to v\(rotation.version)"
        if let from = rotation.rotatedFrom {
            text += " (from v\(from)" + (rotation.graceExpiresAt.map { ", which stays valid until \(Formatting.stamp($0)), \(Formatting.left(until: $0, now: now))" } ?? "") + ")"
        }
        text += "."
        if !rotation.consumers.isEmpty { text += " Consumers with a webhook are told: \(rotation.consumers.joined(separator: ", "))." }
        if let commit = rotation.commit { text += " Commit \(commit.prefix(12))." }
        return text
    }

    /// A delivery attempt as the pages show it.
    static func attemptView(_ attempt: Components.Schemas.Attempt, now: Date) -> [String: Any] {
        [
            "attempt": attempt.attempt, "startedAt": TimeView(attempt.startedAt, now: now),
            "statusCode": attempt.statusCode as Any, "latency": attempt.latencyMs.map { "\($0) ms" } as Any,
            "error": attempt.error as Any, "ok": attempt.statusCode.map { (200..<300).contains($0) } ?? false,
        ]
    }
}
