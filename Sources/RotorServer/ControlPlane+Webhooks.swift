import RotorAPIContract
import Foundation
import RotorCore
import RotorEngine
import RotorStore

extension ControlPlane {
    package func listWebhooks(_ input: Operations.ListWebhooks.Input) async throws -> Operations.ListWebhooks.Output {
        _ = try await authorize(.webhooksRead)
        return .ok(.init(body: .json(.init(webhooks: try await webhooks(service: nil)))))
    }

    package func enableWebhook(_ input: Operations.EnableWebhook.Input) async throws -> Operations.EnableWebhook.Output {
        let caller = try await authorize(.webhooksManage)
        let service = input.path.service
        try ContractChecks.name(service, "service")
        let urls = Self.endpoints(in: try await view()).filter { $0.key.service == service }.map(\.key.url)
        guard !urls.isEmpty else { throw APIProblem.notFound("service \(service) has no webhook in this repository") }
        let now = self.now
        let store = try self.store
        _ = try await blocking { try store.enableEndpoints(urls: urls, now: now, actor: caller.actor) }
        return .ok(.init(body: .json(.init(webhooks: try await webhooks(service: service)))))
    }

    /// Every endpoint the consumers declare (or one service's), with its state and last delivery.
    private func webhooks(service: String?) async throws -> [Components.Schemas.Webhook] {
        let endpoints = Self.endpoints(in: try await view()).filter { service == nil || $0.key.service == service }
        let urls = endpoints.map(\.key.url)
        let store = try self.store
        let (known, last) = try await blocking {
            (Dictionary(try store.webhookEndpoints().map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first }), try store.lastAttempts(urls: urls))
        }
        return endpoints.sorted { ($0.key.service, $0.key.url) < ($1.key.service, $1.key.url) }.map { endpoint, targets in
            let record = known[endpoint.url]
            return .init(service: endpoint.service, url: DisplayURL.redacted(endpoint.url), secrets: targets.sorted(by: NaturalOrder.less),
                         disabled: record?.disabledAt != nil, disabledAt: record?.disabledAt, disabledReason: record?.disabledReason,
                         lastDelivery: last[endpoint.url].map(Self.attempt))
        }
    }

    struct Endpoint: Hashable {
        let service: String
        let url: String
    }

    /// (service, URL) → the secrets and keys whose events go there.
    static func endpoints(in view: ControlPlaneView) -> [Endpoint: [String]] {
        var endpoints: [Endpoint: [String]] = [:]
        for (id, spec) in view.desired.secrets {
            for consumer in spec.consumers { if let url = consumer.webhook { endpoints[Endpoint(service: consumer.service, url: url), default: []].append(id.description) } }
        }
        for (id, spec) in view.desired.keys {
            for consumer in spec.consumers { if let url = consumer.webhook { endpoints[Endpoint(service: consumer.service, url: url), default: []].append("key \(id)") } }
        }
        return endpoints
    }
}
