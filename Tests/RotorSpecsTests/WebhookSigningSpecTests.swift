import Foundation
import Testing
@testable import RotorCore
@testable import RotorSpecs

@Suite("Webhook signing secrets in the specs")
struct WebhookSigningSpecTests {
    let base = SpecLoaderTests()
    let billing = SecretID(project: "webhooks", name: "billing-api")

    @Test func aServiceWithAWebhookGetsASigningSecretWithTheBuiltInPolicy() throws {
        let (desired, diagnostics) = base.load(base.base())
        #expect(diagnostics.isEmpty)
        let spec = try #require(desired?.secrets[billing])
        #expect(spec.policy == "webhook-signing")
        #expect(spec.consumers == [Consumer(service: "billing-api", webhook: "https://billing.example/hooks")])
        #expect(spec.location.path == "secrets/payments/db.yaml")
        let policy = try #require(desired?.policies["webhook-signing"])
        #expect(policy == WebhookSigningSecret.builtInPolicy)
        #expect(policy.rotateEvery == RotorDuration(seconds: 90 * 86_400) && policy.gracePeriod == RotorDuration(seconds: 72 * 3_600))
        #expect(desired?.generator(for: spec) == GeneratorSpec(kind: .base64, length: 32, prefix: "whsec_"))
        // Services without a webhook get none.
        #expect(desired?.secrets.keys.filter { $0.project == "webhooks" }.count == 1)
    }

    @Test func aServiceListedBySeveralSecretsTakesTheURLOfTheFirstByID() throws {
        // payments/db lists billing-api at billing.example; alpha/first (before it by id) and
        // zeta/last (after it) list it at other URLs. The first by id wins, whatever the order read.
        func listing(_ project: String, _ name: String, _ url: String) -> String {
            SpecLoaderTests.secret.replacingOccurrences(of: "project: payments", with: "project: \(project)")
                .replacingOccurrences(of: "name: db", with: "name: \(name)")
                .replacingOccurrences(of: "https://billing.example/hooks", with: url)
        }
        let files = base.base(["secrets/alpha/first.yaml": listing("alpha", "first", "https://alpha.example/hooks"),
                               "secrets/zeta/last.yaml": listing("zeta", "last", "https://zeta.example/hooks")])
        let (desired, diagnostics) = base.load(files)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let spec = try #require(desired?.secrets[billing])
        #expect(spec.consumers == [Consumer(service: "billing-api", webhook: "https://alpha.example/hooks")])
        #expect(spec.location.path == "secrets/alpha/first.yaml")
    }

    @Test func theRepositorysWebhookSigningPolicyIsUsedWhenItExists() throws {
        let policy = """
            apiVersion: rotor.dev/v1
            kind: Policy
            metadata:
              name: webhook-signing
            spec:
              rotateEvery: 30d
              gracePeriod: 48h
              generator:
                type: base64
                length: 48
                prefix: whsec_

            """
        let (desired, diagnostics) = base.load(base.base(["policies/webhook-signing.yaml": policy]))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let spec = try #require(desired?.secrets[billing])
        #expect(desired?.gracePeriod(for: spec) == RotorDuration(seconds: 48 * 3_600))
        #expect(desired?.generator(for: spec) == GeneratorSpec(kind: .base64, length: 48, prefix: "whsec_"))
    }

    @Test func aDeclaredSigningSecretIsUsedAsWritten() throws {
        let declared = """
            apiVersion: rotor.dev/v1
            kind: Secret
            metadata:
              project: webhooks
              name: billing-api
            spec:
              policy: database-credentials
              generator: {type: base64, length: 24}

            """
        let (desired, diagnostics) = base.load(base.base(["secrets/webhooks/billing-api.yaml": declared]))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let spec = try #require(desired?.secrets[billing])
        #expect(spec.policy == "database-credentials" && spec.consumers.isEmpty)
        #expect(desired?.policies["webhook-signing"] == nil)
    }

    @Test func aSigningSecretThatIsNotBase64IsAnError() {
        let declared = """
            apiVersion: rotor.dev/v1
            kind: Secret
            metadata:
              project: webhooks
              name: billing-api
            spec:
              policy: database-credentials

            """
        let (desired, diagnostics) = base.load(base.base(["secrets/webhooks/billing-api.yaml": declared]))
        #expect(desired == nil)
        #expect(diagnostics.map(\.description).contains {
            // The secret's own file and its policy: line, not the policy (which is fine for its other secrets).
            $0.hasPrefix("secrets/webhooks/billing-api.yaml:7:11: error: signing secret webhooks/billing-api needs a base64 generator")
                && $0.hasSuffix("from policy database-credentials")
        }, "\(diagnostics)")
        #expect(!diagnostics.map(\.description).contains { $0.hasPrefix("policies/") }, "\(diagnostics)")
    }

    @Test func generatorPrefixesAreValidated() {
        let policy = SpecLoaderTests.policy.replacingOccurrences(of: "length: 32", with: "length: 32\n    prefix: \"has space\"")
        let (_, diagnostics) = base.load(base.base(["policies/database-credentials.yaml": policy]))
        #expect(diagnostics.map(\.description).contains { $0.hasPrefix("policies/database-credentials.yaml:10:13: error: prefix must be 1 to 32") },
                "\(diagnostics)")
    }
}
