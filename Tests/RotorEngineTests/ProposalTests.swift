import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorGit
import RotorTesting

/// Proposals: spec changes committed on a branch of their own, with their pull-request plan,
/// while the reconciled branch, the index and the working tree stay exactly as they were.
@Suite("Engine: proposals")
struct ProposalTests {
    let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!
    let reason = "Requested through the control plane by the payments team."

    /// A repository whose main has v1 of the scaffolded secret applied.
    func appliedRepo() throws -> SecretsRepoFixture {
        let repo = try SecretsRepoFixture()
        _ = try repo.engine().apply(now: t0)
        return repo
    }

    /// HEAD, its branch, the index and the working tree, to compare before and after.
    func observable(_ repo: SecretsRepoFixture) throws -> [String] {
        try [repo.git(["rev-parse", "HEAD"]), repo.git(["symbolic-ref", "HEAD"]), repo.git(["rev-parse", "main"]),
             repo.git(["status", "--porcelain"]), repo.git(["ls-files", "--stage"]), repo.git(["diff"])]
    }

    func proposalBranches(_ repo: SecretsRepoFixture) throws -> [String] {
        try repo.git(["for-each-ref", "--format=%(refname)", "refs/heads/rotor/proposals/"])
            .split(separator: "\n").map(String.init)
    }

    func expectFsckClean(_ repo: SecretsRepoFixture) throws {
        let fsck = try Shell.run("git", ["-C", repo.root, "fsck", "--strict", "--no-dangling"])
        #expect(fsck.status == 0, "\(fsck.stdout)\(fsck.stderr)")
        #expect(!(fsck.stdout + fsck.stderr).contains("error"), "\(fsck.stdout)\(fsck.stderr)")
        #expect(!(fsck.stdout + fsck.stderr).contains("warning"), "\(fsck.stdout)\(fsck.stderr)")
    }

    /// The text of `path` on the proposal's branch.
    func file(_ repo: SecretsRepoFixture, _ proposal: Proposal, _ path: String) throws -> String {
        try repo.git(["show", "\(proposal.commit):\(path)"])
    }

    // MARK: - Each kind of change

    @Test func creatingASecretCommitsItsSpecOnANewBranchOnly() throws {
        // Given a repository with a dirty working tree and a staged file nobody committed yet
        let repo = try appliedRepo()
        try "draft notes\n".write(toFile: repo.root + "/NOTES.md", atomically: true, encoding: .utf8)
        try repo.git(["add", "NOTES.md"])
        try "unstaged\n".write(toFile: repo.root + "/SCRATCH.md", atomically: true, encoding: .utf8)
        let before = try observable(repo)
        let main = try repo.git(["rev-parse", "main"]).trimmingCharacters(in: .whitespacesAndNewlines)
        // When a secret is proposed
        let draft = SecretDraft(project: "search", name: "token", consumers: [Consumer(service: "indexer")],
                                description: "Token of the search cluster.")
        let proposal = try repo.engine().propose(.createSecret(draft), reason: reason, now: t0.addingTimeInterval(60))
        // Then it is one commit on rotor/proposals/<id>, made from main's head
        #expect(proposal.branch == "rotor/proposals/\(proposal.id)")
        #expect(proposal.ref == "refs/heads/\(proposal.branch)")
        #expect(proposal.id.hasPrefix("20261201-000100-"))
        #expect(proposal.id.count == "20261201-000100-".count + 6)
        #expect(proposal.baseBranch == "refs/heads/main")
        #expect(proposal.base == main)
        #expect(try proposalBranches(repo) == [proposal.ref])
        #expect(try repo.git(["rev-parse", proposal.branch]).trimmingCharacters(in: .whitespacesAndNewlines) == proposal.commit)
        #expect(try repo.git(["rev-parse", "\(proposal.commit)^"]).trimmingCharacters(in: .whitespacesAndNewlines) == main)
        #expect(try repo.git(["diff", "--name-status", main, proposal.commit]) == "A\tsecrets/search/token.yaml\n")
        #expect(proposal.files == ["secrets/search/token.yaml"])
        #expect(proposal.rewritten.isEmpty)
        // And the spec is written as rotor init writes specs
        #expect(try file(repo, proposal, "secrets/search/token.yaml") == """
            apiVersion: rotor.dev/v1
            kind: Secret
            metadata:
              project: search
              name: token
              description: Token of the search cluster.
            spec:
              consumers:
                - service: indexer

            """)
        // And the message says what and why
        let message = try repo.git(["log", "-1", "--format=%B", proposal.commit])
        #expect(message == "rotor proposal: create secret search/token\n\n\(reason)\n\nProposed-At: 2026-12-01T00:01:00Z\n\n")
        #expect(try repo.git(["log", "-1", "--format=%an <%ae>|%cn <%ce>", proposal.commit]) == "rotor <rotor@localhost>|rotor <rotor@localhost>\n")
        // And its plan is what `rotor plan --base main` computes for the branch
        #expect(proposal.plan.changes.map { "\($0.kind) \($0.secret)" } == ["added search/token"])
        #expect(proposal.plan.readAccessNotices == ["search/token: service indexer gains read access to its value"])
        #expect(proposal.plan.planAtMerge?.actions.map { "\($0.kind) \($0.secret)" } == ["create search/token"])
        #expect(!proposal.plan.isBlocked)
        let cli = try repo.rotor(["plan", "--base", "main", "--head", proposal.branch, "--format", "json", "--at", "2026-12-01T00:01:00Z"])
        #expect(cli.stdout == (try proposal.plan.renderJSON()))
        // And nothing else moved: HEAD, main, the index and the working tree
        #expect(try observable(repo) == before)
        try expectFsckClean(repo)
    }

    @Test func deletingASecretRemovesOnlyItsSpec() throws {
        let repo = try appliedRepo()
        let before = try observable(repo)
        let proposal = try repo.engine().propose(.deleteSecret(SecretID(project: "payments", name: "db-password")),
                                                 reason: reason, now: t0.addingTimeInterval(60))
        #expect(try repo.git(["diff", "--name-status", "main", proposal.commit]) == "D\tsecrets/payments/db-password.yaml\n")
        // The versions go at merge, by apply, as for any pull request that removes a spec.
        #expect(proposal.plan.changes.map { "\($0.kind) \($0.secret)" } == ["removed payments/db-password", "removed webhooks/billing-api"])
        #expect(proposal.plan.readAccessNotices.contains("payments/db-password: service billing-api loses read access to its value"))
        #expect(proposal.plan.planAtMerge?.actions.map(\.kind) == [.delete, .delete])
        #expect(try observable(repo) == before)
        try expectFsckClean(repo)
    }

    @Test func creatingAKeyDeclaresItWithItsPolicy() throws {
        let repo = try SecretsRepoFixture()
        try repo.commit(["policies/partner-keys.yaml": SecretsRepoFixture.keyPolicy()])
        _ = try repo.engine().apply(now: t0)
        let before = try observable(repo)
        let draft = KeyDraft(project: "payments", name: "acme", type: .secret, scopes: ["payments:read", "payments:refund"],
                             policy: "partner-keys", expiresAt: RFC3339.parse("2027-06-01T00:00:00Z"),
                             consumers: [Consumer(service: "acme-gateway")])
        let proposal = try repo.engine().propose(.createKey(draft), reason: reason, now: t0.addingTimeInterval(60))
        #expect(try file(repo, proposal, "keys/payments/acme.yaml") == """
            apiVersion: rotor.dev/v1
            kind: ApiKey
            metadata:
              project: payments
              name: acme
            spec:
              type: secret
              scopes:
                - payments:read
                - payments:refund
              policy: partner-keys
              expiresAt: "2027-06-01T00:00:00Z"
              consumers:
                - service: acme-gateway

            """)
        let change = try #require(proposal.plan.changes.first)
        #expect(change.kind == .added)
        #expect(change.resource == .key)
        #expect(change.secret == SecretID(project: "payments", name: "acme"))
        #expect(proposal.plan.planAtMerge?.actions.map { "\($0.kind) \($0.resource) \($0.secret)" } == ["create key payments/acme"])
        #expect(try observable(repo) == before)
        try expectFsckClean(repo)
    }

    @Test func settingAWebhookEditsOnlyThatServicesEntries() throws {
        // Given billing-api consumes a secret written by hand (comments, quotes) and holds a key
        let repo = try SecretsRepoFixture()
        let handWritten = """
            # Stripe's restricted key. Owner: payments team.
            apiVersion: rotor.dev/v1
            kind: Secret
            metadata:
              project: payments
              name: stripe
            spec:
              policy: 'database-credentials'   # the same rotation as the database
              consumers:
                - service: ledger
                  webhook: "https://ledger.example.internal/hooks/rotor"
                # billing reads it on every deploy
                - service: billing-api

            """
        try repo.commit(["secrets/payments/stripe.yaml": handWritten,
                         "policies/partner-keys.yaml": SecretsRepoFixture.keyPolicy(),
                         "keys/payments/billing.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "billing", consumers: ["billing-api"])])
        _ = try repo.engine().apply(now: t0)
        let before = try observable(repo)
        // When billing-api's webhook is set
        let url = "https://billing.example.internal/hooks/rotor?source=rotor&v=2"
        let proposal = try repo.engine().propose(.setWebhook(service: "billing-api", url: url), reason: reason, now: t0.addingTimeInterval(60))
        // Then each file listing billing-api changes in that entry only, comments and all kept
        #expect(proposal.files == ["keys/payments/billing.yaml", "secrets/payments/db-password.yaml", "secrets/payments/stripe.yaml"])
        #expect(proposal.rewritten.isEmpty)
        #expect(try file(repo, proposal, "secrets/payments/stripe.yaml")
            == handWritten.replacingOccurrences(of: "    - service: billing-api\n", with: "    - service: billing-api\n      webhook: \(url)\n"))
        let scaffolded = try repo.git(["show", "main:secrets/payments/db-password.yaml"])
        #expect(try file(repo, proposal, "secrets/payments/db-password.yaml")
            == scaffolded.replacingOccurrences(of: "webhook: http://127.0.0.1:8089/hooks/rotor", with: "webhook: \(url)"))
        #expect(try file(repo, proposal, "keys/payments/billing.yaml")
            == SecretsRepoFixture.apiKey(project: "payments", name: "billing", consumers: ["billing-api"]) + "      webhook: \(url)\n")
        // And the plan shows each rewired consumer
        let rewired = proposal.plan.changes.filter { $0.summary.contains("webhook changed for billing-api") }.map(\.secret.description)
        #expect(rewired == ["payments/billing", "payments/db-password", "payments/stripe", "webhooks/billing-api"])
        // billing-api consumed all of them before: a new URL grants no read access.
        #expect(proposal.plan.readAccessNotices.isEmpty)
        #expect(try observable(repo) == before)
        try expectFsckClean(repo)
    }

    @Test func removingAWebhookDropsItsLineAndItsSigningSecretAtMerge() throws {
        let repo = try appliedRepo()
        let before = try observable(repo)
        let proposal = try repo.engine().propose(.removeWebhook(service: "billing-api"), reason: reason, now: t0.addingTimeInterval(60))
        let scaffolded = try repo.git(["show", "main:secrets/payments/db-password.yaml"])
        #expect(try file(repo, proposal, "secrets/payments/db-password.yaml")
            == scaffolded.replacingOccurrences(of: "      webhook: http://127.0.0.1:8089/hooks/rotor\n", with: ""))
        #expect(proposal.plan.changes.map { "\($0.kind.rawValue) \($0.secret)" } == ["consumers-changed payments/db-password", "removed webhooks/billing-api"])
        #expect(proposal.plan.readAccessNotices == ["webhooks/billing-api: service billing-api loses read access to its value"])
        #expect(try observable(repo) == before)
        try expectFsckClean(repo)
    }

    // MARK: - Signing

    @Test func aProposalIsSignedWhenRotorSignsItsCommits() throws {
        let repo = try SecretsRepoFixture()
        let config = Scaffold.config(recipients: [repo.keyring.fingerprint]) + """
              signing:
                key: \(repo.keyring.fingerprint)
                trustedSigners: [\(repo.keyring.fingerprint)]

            """
        try repo.commit(["rotor.yaml": config], message: "sign", signer: repo.keyring)
        _ = try repo.engine().apply(now: t0)
        let proposal = try repo.engine().propose(.createSecret(SecretDraft(project: "search", name: "token")), reason: reason,
                                                 now: t0.addingTimeInterval(60))
        let verify = try Shell.run("git", ["-C", repo.root, "verify-commit", proposal.commit], environment: ["GNUPGHOME": repo.keyring.path])
        #expect(verify.status == 0, "\(verify.stderr)")
        // rotor's key is trusted, so the pull request is not blocked by its own commit.
        #expect(proposal.plan.signatureViolations.isEmpty)
        #expect(!proposal.plan.isBlocked)
    }

    @Test func anUnsignedRepositoryGetsAnUnsignedProposal() throws {
        let repo = try appliedRepo()
        let proposal = try repo.engine().propose(.createSecret(SecretDraft(project: "search", name: "token")), reason: reason,
                                                 now: t0.addingTimeInterval(60))
        #expect(try repo.git(["cat-file", "commit", proposal.commit]).contains("gpgsig") == false)
    }

    // MARK: - Refusals leave nothing behind

    static let refusals: [(String, ProposedChange, ProposalError.Reason, String)] = [
        ("an existing secret", .createSecret(SecretDraft(project: "payments", name: "db-password")), .exists,
         "secret payments/db-password exists already (secrets/payments/db-password.yaml)"),
        ("an unknown secret", .deleteSecret(SecretID(project: "payments", name: "nope")), .notFound, "there is no secret payments/nope"),
        ("a signing secret rotor adds", .deleteSecret(SecretID(project: "webhooks", name: "billing-api")), .invalid,
         "webhooks/billing-api is the webhook signing secret rotor adds for billing-api: remove billing-api's webhook instead"),
        ("a service that consumes nothing", .setWebhook(service: "nobody", url: "https://x.example/hook"), .notFound,
         "service nobody consumes no secret and holds no API key"),
        ("a webhook that is not http(s)", .setWebhook(service: "billing-api", url: "ftp://x.example/hook"), .invalid,
         "billing-api: webhook must be an http:// or https:// URL with a host"),
        ("a webhook with credentials", .setWebhook(service: "billing-api", url: "https://u:p@x.example/hook"), .invalid,
         "billing-api: webhook must not carry credentials"),
        ("the webhook it already has", .setWebhook(service: "billing-api", url: "http://127.0.0.1:8089/hooks/rotor"), .unchanged,
         "every consumer entry of service billing-api already has this webhook"),
        ("a name that walks out of its folder", .createSecret(SecretDraft(project: "..", name: "x")), .invalid, "project must match"),
        ("a consumer webhook in a new secret", .createSecret(SecretDraft(project: "search", name: "token",
                                                                           consumers: [Consumer(service: "indexer", webhook: "file:///etc/passwd")])),
         .invalid, "indexer: webhook must be an http:// or https:// URL with a host"),
    ]

    @Test(arguments: refusals.indices)
    func aRefusedChangeLeavesNoBranch(_ index: Int) throws {
        let (what, change, reason, message) = Self.refusals[index]
        let repo = try appliedRepo()
        let before = try observable(repo)
        do {
            _ = try repo.engine().propose(change, reason: self.reason, now: t0.addingTimeInterval(60))
            Issue.record("\(what): not refused")
        } catch let error as ProposalError {
            #expect(error.reason == reason, "\(what)")
            #expect(error.message.contains(message), "\(what): \(error.message)")
        }
        #expect(try proposalBranches(repo).isEmpty)
        #expect(try observable(repo) == before)
    }

    @Test func aChangeThatDoesNotValidateIsRefusedWithItsDiagnostics() throws {
        let repo = try appliedRepo()
        let before = try observable(repo)
        let draft = SecretDraft(project: "search", name: "token", policy: "no-such-policy")
        #expect {
            try repo.engine().propose(.createSecret(draft), reason: reason, now: t0.addingTimeInterval(60))
        } throws: { error in
            guard let error = error as? ProposalError, error.reason == .invalid else { return false }
            return error.diagnostics.map(\.description) == [
                "secrets/search/token.yaml:7:11: error: unknown policy \"no-such-policy\"; known: database-credentials",
            ]
        }
        #expect(try proposalBranches(repo).isEmpty)
        #expect(try observable(repo) == before)
    }

    @Test func aKeyWithAnUnknownPolicyIsRefused() throws {
        let repo = try appliedRepo()
        let draft = KeyDraft(project: "payments", name: "acme", type: .public, scopes: ["payments:read"], policy: "database-credentials")
        #expect {
            try repo.engine().propose(.createKey(draft), reason: reason, now: t0.addingTimeInterval(60))
        } throws: { error in
            (error as? ProposalError)?.diagnostics.first?.message.contains("is a secret Policy; keys need kind: KeyPolicy") == true
        }
        #expect(try proposalBranches(repo).isEmpty)
    }

    @Test func aProposalNeedsAReason() throws {
        let repo = try appliedRepo()
        #expect(throws: ProposalError.self) {
            try repo.engine().propose(.createSecret(SecretDraft(project: "search", name: "token")), reason: "  \n", now: t0)
        }
        #expect(try proposalBranches(repo).isEmpty)
    }

    // MARK: - Listing

    @Test func proposalsAreListedInIdOrderAndSeenMergedOnceMerged() throws {
        let repo = try appliedRepo()
        let engine = try repo.engine()
        let first = try engine.propose(.createSecret(SecretDraft(project: "search", name: "token")), reason: reason,
                                       now: t0.addingTimeInterval(60), author: RepoConfig.Identity(name: "Ada", email: "ada@example.com"))
        let second = try engine.propose(.removeWebhook(service: "billing-api"), reason: reason, now: t0.addingTimeInterval(120))
        var listed = try engine.proposals()
        #expect(listed.map(\.id) == [first.id, second.id])
        #expect(listed.map(\.title) == ["rotor proposal: create secret search/token", "rotor proposal: remove the webhook of service billing-api"])
        #expect(listed.first?.author == "Ada <ada@example.com>")
        #expect(listed.first?.createdAt == t0.addingTimeInterval(60))
        #expect(listed.allSatisfy { !$0.merged })
        // When the first is merged into main
        try repo.git(["merge", "-q", "--ff-only", first.branch])
        listed = try engine.proposals()
        #expect(listed.map(\.merged) == [true, false])
    }

    @Test func proposalIDsSortByTime() {
        let earlier = Engine.proposalID(at: t0, random: 0xFFFF_FFFF)
        let later = Engine.proposalID(at: t0.addingTimeInterval(1), random: 0)
        #expect(earlier == "20261201-000000-ffffff")
        #expect(later == "20261201-000001-000000")
        #expect(earlier < later)
    }
}
