import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorTesting

/// Signed commits: rotor signs its own, and refuses spec commits without a trusted signature.
@Suite("Engine: commit signing and trusted signers")
struct SigningTests {
    let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!

    /// rotor.yaml that makes the fixture's key both rotor's signing key and the one trusted signer.
    func signedConfig(_ repo: SecretsRepoFixture, trusted: [String]? = nil) -> String {
        Scaffold.config(recipients: [repo.keyring.fingerprint]) + """
              signing:
                key: \(repo.keyring.fingerprint)
                trustedSigners: [\((trusted ?? [repo.keyring.fingerprint]).joined(separator: ", "))]

            """
    }

    @Test func rotorSignsItsCommitsAndGitVerifiesThem() throws {
        let repo = try SecretsRepoFixture()
        try repo.commit(["rotor.yaml": signedConfig(repo)], message: "require signatures", signer: repo.keyring)
        let result = try repo.engine().apply(now: t0)
        #expect(result.commit != nil)
        let verify = try Shell.run("git", ["-C", repo.root, "verify-commit", "HEAD"], environment: ["GNUPGHOME": repo.keyring.path])
        #expect(verify.status == 0, "\(verify.stderr)")
        let log = try Shell.run("git", ["-C", repo.root, "log", "--show-signature", "-1"], environment: ["GNUPGHOME": repo.keyring.path])
        #expect(log.stdout.contains("Good signature"))
        // The next pass accepts rotor's own signed commit.
        #expect(try repo.engine().apply(now: t0.addingTimeInterval(31 * 86_400)).commit != nil)
    }

    @Test func anUnsignedSpecCommitIsRefusedNamingIt() throws {
        let repo = try SecretsRepoFixture()
        try repo.commit(["rotor.yaml": signedConfig(repo)], message: "require signatures", signer: repo.keyring)
        _ = try repo.engine().apply(now: t0)
        let sneaky = try repo.commit(["secrets/payments/extra.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "extra")],
                                     message: "add a secret quietly")
        let head = try repo.git(["rev-parse", "HEAD"])
        #expect {
            try repo.engine().apply(now: t0.addingTimeInterval(60))
        } throws: { error in
            "\(error)".contains("commit \(sneaky.prefix(7)) \"add a secret quietly\": changes secrets/payments/extra.yaml but is not signed")
        }
        #expect(try repo.git(["rev-parse", "HEAD"]) == head)
        let plan = try repo.rotor(["plan"])
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("without a trusted signature"))
    }

    @Test func aCommitSignedByAnUntrustedKeyIsRefused() throws {
        let repo = try SecretsRepoFixture()
        let mallory = try TestKeyring(userID: "mallory <m@x.invalid>")
        try repo.commit(["rotor.yaml": signedConfig(repo)], message: "require signatures", signer: repo.keyring)
        try repo.commit(["secrets/payments/extra.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "extra"),
                         "signers/\(mallory.fingerprint).asc": try mallory.publicKey()],
                        message: "signed by someone else", signer: mallory)
        #expect {
            try repo.engine().apply(now: t0)
        } throws: { error in
            "\(error)".contains("\"signed by someone else\": it is signed by \(mallory.fingerprint), which is not a trusted signer")
        }
    }

    @Test func removingTheSignerRequirementNeedsATrustedSignatureToo() throws {
        let repo = try SecretsRepoFixture()
        try repo.commit(["rotor.yaml": signedConfig(repo)], message: "require signatures", signer: repo.keyring)
        try repo.commit(["rotor.yaml": Scaffold.config(recipients: [repo.keyring.fingerprint])], message: "drop the rule")
        #expect(throws: EngineError.self) { try repo.engine().apply(now: t0) }
    }

    @Test func aPullRequestWithAnUnsignedCommitIsBlocked() throws {
        let repo = try SecretsRepoFixture()
        try repo.commit(["rotor.yaml": signedConfig(repo)], message: "require signatures", signer: repo.keyring)
        try repo.git(["checkout", "-q", "-b", "pr"])
        try repo.commit(["secrets/payments/extra.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "extra")], message: "unsigned")
        let output = try repo.rotor(["plan", "--base", "main", "--format", "markdown"])
        #expect(output.status == 1)
        #expect(output.stdout.contains("**❌ Commits without a trusted signature**"))
    }
}
