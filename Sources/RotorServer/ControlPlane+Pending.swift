// Proposals land with their engine call; until then these answer 501.
import RotorAPIContract
extension ControlPlane {
    package func proposeSecret(_ input: Operations.ProposeSecret.Input) async throws -> Operations.ProposeSecret.Output { throw APIProblem(slug: "not-implemented", status: 501, title: "Not implemented", detail: "proposals are not available in this build yet") }
    package func proposeSecretDeletion(_ input: Operations.ProposeSecretDeletion.Input) async throws -> Operations.ProposeSecretDeletion.Output { throw APIProblem(slug: "not-implemented", status: 501, title: "Not implemented", detail: "proposals are not available in this build yet") }
    package func proposeKey(_ input: Operations.ProposeKey.Input) async throws -> Operations.ProposeKey.Output { throw APIProblem(slug: "not-implemented", status: 501, title: "Not implemented", detail: "proposals are not available in this build yet") }
    package func proposeWebhook(_ input: Operations.ProposeWebhook.Input) async throws -> Operations.ProposeWebhook.Output { throw APIProblem(slug: "not-implemented", status: 501, title: "Not implemented", detail: "proposals are not available in this build yet") }
    package func proposeWebhookRemoval(_ input: Operations.ProposeWebhookRemoval.Input) async throws -> Operations.ProposeWebhookRemoval.Output { throw APIProblem(slug: "not-implemented", status: 501, title: "Not implemented", detail: "proposals are not available in this build yet") }
}
extension ControlPlane: APIProtocol {}
