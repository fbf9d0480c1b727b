import Foundation
import Hummingbird
import RotorAPIContract
import RotorCore
import RotorServer

extension Pages {
    /// Entries per page of the audit log.
    static let auditPage = 50

    /// The actions the filter offers (any other can be typed).
    static let auditActions = [
        "secret.accessed", "secret.created", "secret.rotated", "secret.rolled_back", "secret.expired", "secret.deleted",
        "key.created", "key.rotated", "key.revoked", "key.expired", "key.accessed", "auth.failed",
        "job.retried", "job.cancelled", "webhook.endpoint_disabled", "webhook.endpoint_enabled",
    ]

    /// `GET /audit?action=…&since=…&after=…`: the log, oldest first, a page at a time, and
    /// whether its hash chain verifies.
    func audit(_ request: Request, _ context: ServerContext) async -> Response {
        await page(request, context) { visit in
            let query = Form(visit.request.uri.query)
            let action = query["action"], sinceText = query["since"], after = query["after"].flatMap(Int64.init)
            let since = try sinceText.map { text -> Date in
                guard let date = RFC3339.parse(text) ?? RFC3339.parse(text + "T00:00:00Z") else {
                    throw APIProblem.invalid("since must be a date (2026-12-01) or an RFC 3339 instant")
                }
                return date
            }
            let page = try await visit.call { [controlPlane] in
                try await controlPlane.listAudit(.init(query: .init(since: since, action: action, after: after, limit: Self.auditPage))).ok.body.json
            }
            let verification = try await visit.call { [controlPlane] in try await controlPlane.verifyAudit(.init()).ok.body.json }
            let now = visit.now
            var next: String?
            if let last = page.next {
                var items = [URLQueryItem(name: "after", value: String(last))]
                if let action { items.append(URLQueryItem(name: "action", value: action)) }
                if let sinceText { items.append(URLQueryItem(name: "since", value: sinceText)) }
                var components = URLComponents()
                components.queryItems = items
                next = "/audit?" + (components.percentEncodedQuery ?? "")
            }
            return PageView(template: "audit", title: "Audit", section: .audit, model: [
                "entries": page.entries.map { entry -> [String: Any] in
                    ["seq": entry.seq, "at": TimeView(entry.at, now: now), "action": entry.action, "actor": entry.actor,
                     "target": entry.target, "metadata": entry.metadata == "{}" ? "" : entry.metadata, "hash": String(entry.hash.prefix(12))]
                },
                "hasEntries": !page.entries.isEmpty, "intact": verification.intact, "problem": verification.problem as Any,
                "actions": Self.auditActions.map { ["name": $0] }, "action": action as Any, "since": sinceText as Any,
                "next": next as Any, "paged": after != nil,
            ])
        }
    }
}
