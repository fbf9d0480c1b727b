import Foundation
import RotorCore

/// A change to the specs that someone asks for outside git (the HTTP API): it becomes a
/// proposal, a commit on a branch of its own, never a commit on the reconciled branch.
public enum ProposedChange: Hashable, Sendable {
    /// Declares a new generated secret in `secrets/<project>/<name>.yaml`.
    case createSecret(SecretDraft)
    /// Removes a secret's spec (at merge, apply deletes its versions).
    case deleteSecret(SecretID)
    /// Declares a new API key in `keys/<project>/<name>.yaml`.
    case createKey(KeyDraft)
    /// Sets `service`'s webhook to `url` in every secret and key spec that lists it as a consumer.
    case setWebhook(service: String, url: String)
    /// Removes `service`'s webhook from every secret and key spec that lists it as a consumer.
    case removeWebhook(service: String)

    /// The commit's subject after `rotor proposal: `, e.g. `create secret payments/db-password`.
    public var title: String {
        switch self {
        case .createSecret(let draft): return "create secret \(draft.project)/\(draft.name)"
        case .deleteSecret(let id): return "delete secret \(id)"
        case .createKey(let draft): return "create API key \(draft.project)/\(draft.name)"
        case .setWebhook(let service, _): return "set the webhook of service \(service)"
        case .removeWebhook(let service): return "remove the webhook of service \(service)"
        }
    }
}
