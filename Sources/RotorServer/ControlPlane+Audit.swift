import RotorAPIContract
import Foundation
import RotorCore
import RotorEngine
import RotorStore

extension ControlPlane {
    package func listAudit(_ input: Operations.ListAudit.Input) async throws -> Operations.ListAudit.Output {
        _ = try await authorize(.auditRead)
        let query = input.query
        try ContractChecks.range(query.limit, "limit", 1...1000)
        try ContractChecks.range(query.after, "after", 0...Int64.max)
        try ContractChecks.length(query.action, "action", max: 64)
        let limit = query.limit ?? 100
        let store = try self.store
        let rows = try await blocking {
            try store.auditPage(since: query.since, action: query.action, after: query.after, limit: limit + 1)
        }
        let page = rows.prefix(limit)
        let entries = page.map {
            Components.Schemas.AuditEntry(seq: $0.seq, at: $0.at, action: $0.action, actor: $0.actor, target: $0.targetID,
                                          metadata: $0.metadata, hash: $0.hash)
        }
        return .ok(.init(body: .json(.init(entries: entries, next: rows.count > limit ? page.last?.seq : nil))))
    }

    package func verifyAudit(_ input: Operations.VerifyAudit.Input) async throws -> Operations.VerifyAudit.Output {
        _ = try await authorize(.auditRead)
        let store = try self.store
        let problem = try await blocking { try store.verifyAudit() }
        return .ok(.init(body: .json(.init(intact: problem == nil, problem: problem))))
    }

    package func getPlan(_ input: Operations.GetPlan.Input) async throws -> Operations.GetPlan.Output {
        _ = try await authorize(.planRead)
        let now = self.now
        let json = try await blocking { [self] in try engine().plan(now: now).renderJSON() }
        return .ok(.init(body: .json(try JSONDecoder().decode(Components.Schemas.Plan.self, from: Data(json.utf8)))))
    }

    package func getForecast(_ input: Operations.GetForecast.Input) async throws -> Operations.GetForecast.Output {
        _ = try await authorize(.planRead)
        try ContractChecks.range(input.query.days, "days", 1...3660)
        let days = input.query.days ?? 30, now = self.now
        let entries = try await blocking { [self] in try engine().forecast(now: now, days: days) }
        return .ok(.init(body: .json(.init(days: days, entries: entries.map {
            .init(at: $0.at, kind: .init(rawValue: $0.kind.rawValue) ?? .rotate, resource: .init(rawValue: $0.resource.rawValue) ?? .secret,
                  secret: $0.secret.description, version: $0.version, consumers: $0.consumers)
        }))))
    }
}
