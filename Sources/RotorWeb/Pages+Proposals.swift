import Foundation
import Hummingbird
import RotorAPIContract
import RotorCore
import RotorServer

extension Pages {
    /// `POST /secrets` → `proposeSecret`: a branch with the new spec, never a commit to the
    /// reconciled branch; the page shows the branch and its pull-request plan.
    func proposeSecret(_ request: Request, _ context: ServerContext) async -> Response {
        await action(request, context) { visit, form in
            let draft = Components.Schemas.SecretDraft(
                project: try form.required("project", "A project"), name: try form.required("name", "A name"),
                policy: try form.required("policy", "A policy"), description: form["description"],
                consumers: try Self.consumers(form["consumers"]), reason: try form.required("reason", "A reason"))
            let proposal = try await visit.call { [controlPlane] in
                try await controlPlane.proposeSecret(.init(body: .json(draft))).accepted.body.json
            }
            return .redirect("/", Flash(kind: .success, text: "Proposed \(draft.project)/\(draft.name) on branch \(proposal.branch): open a pull request from it; nothing changes until it merges.",
                                        proposal: Self.proposalView(proposal)))
        }
    }

    /// `POST /secrets/{project}/{name}/delete` → `proposeSecretDeletion`.
    func proposeDeletion(_ request: Request, _ context: ServerContext) async -> Response {
        let (project, name) = Self.pathName(context)
        return await action(request, context) { visit, form in
            let reason = try form.required("reason", "A reason")
            let proposal = try await visit.call { [controlPlane] in
                try await controlPlane.proposeSecretDeletion(.init(path: .init(project: project, name: name), query: .init(reason: reason))).accepted.body.json
            }
            return .redirect("/secrets/\(project)/\(name)", Flash(kind: .success, text: "Proposed deleting \(project)/\(name) on branch \(proposal.branch): it is deleted only when a pull request from that branch merges.",
                                                                  proposal: Self.proposalView(proposal)))
        }
    }

    /// The consumers field of the create form: one per line, `service` or `service https://webhook`.
    static func consumers(_ text: String?) throws -> [Components.Schemas.ConsumerDraft]? {
        guard let text else { return nil }
        return try text.split(whereSeparator: \.isNewline).compactMap { line in
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let service = words.first else { return nil }
            guard words.count <= 2 else { throw APIProblem.invalid("consumer line \"\(line)\": write a service, optionally followed by its webhook URL") }
            return Components.Schemas.ConsumerDraft(service: service, webhook: words.count == 2 ? words[1] : nil)
        }
    }

    /// A proposal's plan as `rotor plan --base` prints it (the JSON itself if it is not the shape rotor knows).
    static func proposalView(_ proposal: Components.Schemas.Proposal) -> ProposalView {
        var text: String
        do {
            let json = try JSONEncoder().encode(proposal.plan)
            text = try RotorJSON.decoder().decode(PullRequestPlan.self, from: json).renderText()
        } catch {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            text = (try? encoder.encode(proposal.plan)).map { String(decoding: $0, as: UTF8.self) } ?? "(no plan)"
        }
        return ProposalView(id: proposal.id, branch: proposal.branch, commit: String(proposal.commit.prefix(12)), plan: text)
    }
}
