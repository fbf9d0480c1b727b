import Foundation
import Testing
@testable import RotorCore
@testable import RotorSpecs

/// The spec text proposals commit: new specs from drafts, and one service's webhook changed
/// in files people wrote, every other byte kept.
@Suite("Proposal spec writing")
struct ProposalSpecWritingTests {
    static let config = """
        apiVersion: rotor.dev/v1
        kind: Config
        spec:
          recipients: [0123456789ABCDEF0123456789ABCDEF01234567]
          defaults:
            policy: database-credentials

        """
    static let policy = """
        apiVersion: rotor.dev/v1
        kind: Policy
        metadata:
          name: database-credentials
        spec:
          rotateEvery: 30d

        """
    static let keyPolicy = """
        apiVersion: rotor.dev/v1
        kind: KeyPolicy
        metadata:
          name: partner-keys
        spec:
          rotateEvery: 90d

        """

    /// Loads `files` beside a config and the two policies.
    func load(_ files: [String: String]) -> (DesiredState?, [Diagnostic]) {
        let all = ["rotor.yaml": Self.config, "policies/database-credentials.yaml": Self.policy, "policies/partner-keys.yaml": Self.keyPolicy]
            .merging(files) { $1 }
        return SpecLoader.load(files: all.map { SourceFile(path: $0.key, bytes: Array($0.value.utf8)) }, revision: nil)
    }

    // MARK: - New specs

    @Test func aSecretDraftLoadsBackAsWritten() throws {
        let generator = GeneratorSpec(kind: .password, length: 50, charsetName: "custom", characters: "ab#:\"'{}", prefix: "sk_live_")
        let draft = SecretDraft(project: "payments", name: "2fa-seed", policy: "database-credentials", generator: generator,
                                consumers: [Consumer(service: "billing-api", webhook: "https://billing.example/hooks?a=1&b=2"),
                                            Consumer(service: "yes", webhook: "https://ledger.example/hooks#rotor")],
                                description: "Seed: for \"2FA\" # not a comment\nsecond line")
        let (desired, diagnostics) = load([SpecLoader.specPath(draft.id): SpecWriter.secret(draft)])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let spec = try #require(desired?.secrets[draft.id])
        #expect(spec.policy == "database-credentials")
        #expect(spec.generator == generator)
        #expect(spec.consumers == draft.consumers)
        #expect(spec.description == draft.description)
        #expect(!spec.isExternal)
    }

    @Test func aMinimalSecretDraftUsesTheDefaultPolicy() throws {
        let draft = SecretDraft(project: "search", name: "token")
        #expect(SpecWriter.secret(draft) == """
            apiVersion: rotor.dev/v1
            kind: Secret
            metadata:
              project: search
              name: token
            spec:
              consumers: []

            """)
        let (desired, diagnostics) = load([SpecLoader.specPath(draft.id): SpecWriter.secret(draft)])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(desired?.secrets[draft.id]?.policy == "database-credentials")
    }

    @Test func aKeyDraftLoadsBackAsWritten() throws {
        let draft = KeyDraft(project: "payments", name: "acme", type: .serviceRole, scopes: ["payments:read", "mcp:tools.*"],
                             policy: "partner-keys", expiresAt: RFC3339.parse("2027-06-01T00:00:00Z"),
                             consumers: [Consumer(service: "acme-gateway", webhook: "https://acme.example/rotor")], description: "Acme's key.")
        let (desired, diagnostics) = load([ApiKeySpec.path(for: draft.id): SpecWriter.key(draft)])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let key = try #require(desired?.keys[draft.id])
        #expect(key.type == .serviceRole)
        #expect(key.scopes == draft.scopes)
        #expect(key.policy == "partner-keys")
        #expect(key.expiresAt == draft.expiresAt)
        #expect(key.consumers == draft.consumers)
        #expect(!key.revoked)
    }

    @Test(arguments: [
        ("billing-api", "billing-api"), ("https://a.example/h?x=1&y=2", "https://a.example/h?x=1&y=2"),
        ("Password of the payments database user.", "Password of the payments database user."),
        ("2fa", "\"2fa\""), ("yes", "\"yes\""), ("Off", "\"Off\""), ("null", "\"null\""), ("a #b", "\"a #b\""),
        ("key: value", "\"key: value\""), ("ends:", "\"ends:\""), ("", "\"\""), (" lead", "\" lead\""), ("*alias", "\"*alias\""),
        ("say \"hi\"", "\"say \\\"hi\\\"\""), ("two\nlines", "\"two\\nlines\""),
    ])
    func scalarsArePlainOnlyWhenThatReadsBackTheSame(_ text: String, _ written: String) {
        #expect(SpecWriter.scalar(text) == written)
    }

    // MARK: - Webhook edits

    static let handWritten = """
        # Owned by the payments team.
        apiVersion: rotor.dev/v1
        kind: Secret
        metadata:
          project: payments
          name: stripe
        spec:
          policy: 'database-credentials'   # same rotation as the database
          consumers:
            - service: ledger
              webhook: "https://ledger.example/hooks"   # ledger's hook
            # billing reads it on every deploy
            - service: billing-api
            - webhook: https://reports.example/hooks
              service: reports

        """

    func edit(_ text: String, _ service: String, _ url: String?) throws -> ConsumerWebhookEditor.Edit? {
        try ConsumerWebhookEditor.setting(webhook: url, of: service, in: SourceFile(path: "secrets/payments/stripe.yaml", bytes: Array(text.utf8)))
    }

    func text(_ edit: ConsumerWebhookEditor.Edit?) -> String? { edit.map { String(decoding: $0.bytes, as: UTF8.self) } }

    @Test func aWebhookIsReplacedWhereItStands() throws {
        let edit = try #require(try edit(Self.handWritten, "ledger", "https://ledger.example/v2"))
        #expect(edit.keptLayout)
        #expect(text(edit) == Self.handWritten.replacingOccurrences(of: "\"https://ledger.example/hooks\"", with: "https://ledger.example/v2"))
    }

    @Test func aWebhookIsAddedUnderTheEntrysLastField() throws {
        let edit = try #require(try edit(Self.handWritten, "billing-api", "https://billing.example/hooks"))
        #expect(edit.keptLayout)
        #expect(text(edit) == Self.handWritten.replacingOccurrences(
            of: "    - service: billing-api\n", with: "    - service: billing-api\n      webhook: https://billing.example/hooks\n"))
    }

    @Test func aWebhookIsAddedAtTheEndOfAFileWithoutAFinalNewline() throws {
        let text = String(Self.handWritten.dropLast()).replacingOccurrences(of: "    - webhook: https://reports.example/hooks\n      service: reports", with: "    - service: reports")
        let edit = try #require(try edit(text, "reports", "https://reports.example/v2"))
        #expect(edit.keptLayout)
        #expect(self.text(edit) == text + "\n      webhook: https://reports.example/v2\n")
    }

    @Test func aWebhookLineIsRemovedWithItsComment() throws {
        let edit = try #require(try edit(Self.handWritten, "ledger", nil))
        #expect(edit.keptLayout)
        #expect(text(edit) == Self.handWritten.replacingOccurrences(of: "      webhook: \"https://ledger.example/hooks\"   # ledger's hook\n", with: ""))
    }

    @Test func aWebhookWrittenFirstIsRemovedAndTheNextFieldMovesUp() throws {
        let edit = try #require(try edit(Self.handWritten, "reports", nil))
        #expect(edit.keptLayout)
        #expect(text(edit) == Self.handWritten.replacingOccurrences(of: "    - webhook: https://reports.example/hooks\n      service: reports\n",
                                                                    with: "    - service: reports\n"))
    }

    @Test func nothingToChangeIsNil() throws {
        #expect(try edit(Self.handWritten, "ledger", "https://ledger.example/hooks") == nil)
        #expect(try edit(Self.handWritten, "billing-api", nil) == nil)
        #expect(try edit(Self.handWritten, "nobody", "https://x.example/") == nil)
    }

    @Test func aFlowStyleEntryIsReRenderedKeepingEveryField() throws {
        let flow = """
            # comment that a re-render drops
            apiVersion: rotor.dev/v1
            kind: ApiKey
            metadata: {project: payments, name: partner, description: "Partner key"}
            spec:
              type: secret
              scopes: [payments:read]
              policy: partner-keys
              revoked: true
              revokeReason: leaked
              consumers: [{service: acme}, {service: globex, webhook: "https://globex.example/h"}]

            """
        let edit = try #require(try edit(flow, "acme", "https://acme.example/hooks"))
        #expect(!edit.keptLayout)
        #expect(text(edit) == """
            apiVersion: rotor.dev/v1
            kind: ApiKey
            metadata:
              project: payments
              name: partner
              description: "Partner key"
            spec:
              type: secret
              scopes:
                - payments:read
              policy: partner-keys
              revoked: true
              revokeReason: leaked
              consumers:
                - service: acme
                  webhook: https://acme.example/hooks
                - service: globex
                  webhook: "https://globex.example/h"

            """)
        let (desired, diagnostics) = load(["keys/payments/partner.yaml": try #require(text(edit))])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let key = try #require(desired?.keys[SecretID(project: "payments", name: "partner")])
        #expect(key.revoked)
        #expect(key.consumers == [Consumer(service: "acme", webhook: "https://acme.example/hooks"),
                                  Consumer(service: "globex", webhook: "https://globex.example/h")])
    }

    @Test func anAliasedEntryLoadsBackWithOnlyItsWebhookChanged() throws {
        let aliased = """
            apiVersion: rotor.dev/v1
            kind: Secret
            metadata:
              project: payments
              name: shared
            spec:
              policy: database-credentials
              consumers:
                - &hooked
                  service: ledger
                  webhook: https://ledger.example/hooks
            """
        // Whether the in-place edit or the re-render makes it, the result loads with only the webhook changed.
        let edit = try #require(try edit(aliased, "ledger", "https://ledger.example/v2"))
        let (desired, diagnostics) = load(["secrets/payments/shared.yaml": try #require(text(edit))])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(desired?.secrets[SecretID(project: "payments", name: "shared")]?.consumers
            == [Consumer(service: "ledger", webhook: "https://ledger.example/v2")])
    }

    @Test func anArmoredValueSurvivesAReRender() throws {
        let armored = "-----BEGIN PGP MESSAGE-----\n\nhF4DAAAAAAAAAAA=\n-----END PGP MESSAGE-----\n"
        let text = """
            apiVersion: rotor.dev/v1
            kind: Secret
            metadata: {project: payments, name: stripe}
            spec:
              value: |
            \(armored.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    \($0)" }.joined(separator: "\n"))
              consumers: [{service: ledger}]

            """
        let edit = try #require(try edit(text, "ledger", "https://ledger.example/hooks"))
        #expect(!edit.keptLayout)
        let (desired, diagnostics) = load(["secrets/payments/stripe.yaml": try #require(self.text(edit))])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let spec = try #require(desired?.secrets[SecretID(project: "payments", name: "stripe")])
        #expect(spec.externalValueDigest == SpecLoader.digest(ofArmored: armored))
        #expect(spec.consumers == [Consumer(service: "ledger", webhook: "https://ledger.example/hooks")])
    }
}
