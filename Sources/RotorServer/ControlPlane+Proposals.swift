import Foundation
import RotorAPIContract
import RotorCore
import OpenAPIRuntime
import RotorEngine

extension ControlPlane {
    package func proposeSecret(_ input: Operations.ProposeSecret.Input) async throws -> Operations.ProposeSecret.Output {
        let caller = try await authorize(.proposalsWrite)
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("a JSON body is required") }
        for (value, field) in [(body.project, "project"), (body.name, "name"), (body.policy, "policy")] { try ContractChecks.name(value, field) }
        try ContractChecks.length(body.description, "description", max: 500)
        let draft = SecretDraft(project: body.project, name: body.name, policy: body.policy, consumers: try consumers(body.consumers),
                                description: body.description)
        return .accepted(.init(body: .json(try await propose(.createSecret(draft), reason: body.reason, caller: caller))))
    }

    package func proposeSecretDeletion(_ input: Operations.ProposeSecretDeletion.Input) async throws -> Operations.ProposeSecretDeletion.Output {
        let caller = try await authorize(.proposalsWrite)
        let id = try secretID(input.path.project, input.path.name)
        return .accepted(.init(body: .json(try await propose(.deleteSecret(id), reason: input.query.reason, caller: caller))))
    }

    package func proposeKey(_ input: Operations.ProposeKey.Input) async throws -> Operations.ProposeKey.Output {
        let caller = try await authorize(.proposalsWrite)
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("a JSON body is required") }
        for (value, field) in [(body.project, "project"), (body.name, "name"), (body.policy, "policy")] { try ContractChecks.name(value, field) }
        try ContractChecks.length(body.description, "description", max: 500)
        guard let type = ApiKeyType(rawValue: body._type.rawValue) else { throw APIProblem.badRequest("unknown key type \(body._type.rawValue)") }
        for scope in body.scopes where !ScopeRule.isValid(scope) {
            throw APIProblem.badRequest("scope \(scope.prefix(40)) must be resource[:action…], lower-case (e.g. payments:read)")
        }
        let draft = KeyDraft(project: body.project, name: body.name, type: type, scopes: body.scopes, policy: body.policy,
                             expiresAt: body.expiresAt, consumers: try consumers(body.consumers), description: body.description)
        return .accepted(.init(body: .json(try await propose(.createKey(draft), reason: body.reason, caller: caller))))
    }

    package func proposeWebhook(_ input: Operations.ProposeWebhook.Input) async throws -> Operations.ProposeWebhook.Output {
        let caller = try await authorize(.proposalsWrite)
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("a JSON body is required") }
        try ContractChecks.name(input.path.service, "service")
        try ContractChecks.url(body.url, "url")
        return .accepted(.init(body: .json(try await propose(.setWebhook(service: input.path.service, url: body.url), reason: body.reason, caller: caller))))
    }

    package func proposeWebhookRemoval(_ input: Operations.ProposeWebhookRemoval.Input) async throws -> Operations.ProposeWebhookRemoval.Output {
        let caller = try await authorize(.proposalsWrite)
        try ContractChecks.name(input.path.service, "service")
        return .accepted(.init(body: .json(try await propose(.removeWebhook(service: input.path.service), reason: input.query.reason, caller: caller))))
    }

    private func consumers(_ drafts: [Components.Schemas.ConsumerDraft]?) throws -> [Consumer] {
        try (drafts ?? []).map { draft in
            try ContractChecks.name(draft.service, "consumers[].service")
            try ContractChecks.url(draft.webhook, "consumers[].webhook")
            return Consumer(service: draft.service, webhook: draft.webhook)
        }
    }

    /// Writes the proposal branch (pushed under the daemon), audits it, and answers with its
    /// pull-request plan.
    private func propose(_ change: ProposedChange, reason: String, caller: Caller) async throws -> Components.Schemas.Proposal {
        try ContractChecks.reason(reason)
        let proposal: Proposal
        do {
            proposal = try await writer.propose(change, reason: reason, actor: caller.actor, now: now)
        } catch let error as ProposalError {
            let detail = ([error.message] + error.diagnostics.map(\.description)).joined(separator: "\n")
            switch error.reason {
            case .invalid: throw APIProblem(slug: "invalid-proposal", status: 422, title: "Invalid proposal", detail: detail)
            case .notFound: throw APIProblem.notFound(detail)
            case .exists, .unchanged: throw APIProblem.conflict(detail)
            }
        } catch let error as EngineError {
            throw APIProblem.conflict(error.description)
        }
        try await audit("proposal.created", caller: caller, target: proposal.branch,
                        metadata: ["commit": proposal.commit, "title": proposal.title])
        let plan = try JSONDecoder().decode(OpenAPIObjectContainer.self, from: try RotorJSON.encoder().encode(proposal.plan))
        return .init(id: proposal.id, branch: proposal.branch, commit: proposal.commit, plan: .init(additionalProperties: plan))
    }
}
