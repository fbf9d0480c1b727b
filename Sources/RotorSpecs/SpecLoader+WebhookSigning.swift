import Foundation
import RotorCore

extension SpecLoader {
    /// Gives every consumer service with a webhook its signing secret, `webhooks/<service>`.
    ///
    /// A signing secret declared in `secrets/webhooks/<service>.yaml` is used as written.
    /// Otherwise one is added with the `webhook-signing` policy (the built-in one when the
    /// repository has none), so plan shows it, apply generates, encrypts, commits and rotates
    /// it, and `rotor get webhooks/<service>` hands it to the service's owner. The added
    /// secret's consumer is the service itself, so it hears about its own key's rotations.
    /// Either way the key must be base64 (`whsec_<base64>`): other generators are errors.
    static func addWebhookSigningSecrets(policies: inout [String: Policy], secrets: inout [SecretID: SecretSpec], sink: DiagnosticSink) {
        // Each service's URL as the first secret (by id) listing it with a webhook declares it:
        // the least such id per service, found without sorting every secret.
        var endpoints: [String: (url: String, declaredAt: SourceLocation, by: SecretID)] = [:]
        for (id, spec) in secrets {
            for consumer in spec.consumers {
                guard let url = consumer.webhook else { continue }
                if let known = endpoints[consumer.service], !(id < known.by) { continue }
                endpoints[consumer.service] = (url, spec.location, id)
            }
        }
        for service in endpoints.keys.sorted() {
            guard let endpoint = endpoints[service] else { continue }
            let id = WebhookSigningSecret.secretID(for: service)
            if let declared = secrets[id] {
                checkSigningGenerator(declared, policies: policies, declared: true, sink: sink)
                continue
            }
            if policies[WebhookSigningSecret.policyName] == nil {
                policies[WebhookSigningSecret.policyName] = WebhookSigningSecret.builtInPolicy
            }
            let spec = SecretSpec(id: id, location: endpoint.declaredAt, policy: WebhookSigningSecret.policyName,
                                  consumers: [Consumer(service: service, webhook: endpoint.url)],
                                  description: "Signs rotor's webhook deliveries to \(service) (added by rotor; declare \(specPath(id)) to change it)")
            checkSigningGenerator(spec, policies: policies, declared: false, sink: sink)
            secrets[id] = spec
        }
    }

    /// A signing secret's generator must make base64 keys of at least 16 bytes.
    ///
    /// A declared `secrets/webhooks/<service>.yaml` is its own file's error: at its `policy:`
    /// line when the generator comes from the policy (the policy is fine for its other
    /// secrets), else at the spec. A signing secret rotor adds is the `webhook-signing`
    /// policy's error, at that policy.
    private static func checkSigningGenerator(_ spec: SecretSpec, policies: [String: Policy], declared: Bool, sink: DiagnosticSink) {
        guard !spec.isExternal else { return }
        let policy = policies[spec.policy]
        let generator = spec.generator ?? policy?.generator ?? .default
        guard generator.kind != .base64 || generator.length < 16 else { return }
        let fromPolicy = spec.generator == nil
        let location: SourceLocation
        if declared {
            location = fromPolicy ? spec.policyLocation ?? spec.location : spec.location
        } else {
            location = policy?.generator != nil ? policy?.location ?? spec.location : spec.location
        }
        let origin = fromPolicy ? " from policy \(spec.policy)" : ""
        sink.error(location, "signing secret \(spec.id) needs a base64 generator of at least 16 bytes (the HMAC key of whsec_<base64>); it would get \(generator)\(origin)")
    }
}
