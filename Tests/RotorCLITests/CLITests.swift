import Foundation
import Testing
import RotorTesting

/// The command line end to end: the built `rotor` binary against real git, gpg and SQLite.
@Suite("rotor CLI")
struct CLITests {
    @Test func theIssueWalkthroughWorks() throws {
        let keyring = try TestKeyring()
        let directory = try TemporaryDirectory(prefix: "rc")
        let demo = directory.path("demo")
        let env = ["GNUPGHOME": keyring.path]
        func rotor(_ arguments: [String]) throws -> Shell.Output {
            try Shell.run(Shell.rotorExecutable, arguments, environment: env, directory: directory.path)
        }

        let initialized = try rotor(["init", "demo", "--recipient", keyring.fingerprint])
        #expect(initialized.status == 0, "\(initialized.stderr)")
        #expect(FileManager.default.fileExists(atPath: demo + "/recipients/\(keyring.fingerprint).asc"))

        #expect(try rotor(["validate", "--repo", "demo"]).status == 0)
        let plan = try rotor(["plan", "--repo", "demo", "--at", "2026-12-01T00:00:00Z"])
        #expect(plan.stdout.contains("+ create  payments/db-password v1"))
        let apply = try rotor(["apply", "--repo", "demo", "--at", "2026-12-01T00:00:00Z"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("Committed "))
        // A new repository starts with no webhook to fail: the scaffold shows one only as a comment.
        let spec = try String(contentsOfFile: demo + "/secrets/payments/db-password.yaml", encoding: .utf8)
        #expect(spec.contains("# webhook: "))
        #expect(!spec.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("webhook:") })
        let jobs = try rotor(["jobs", "list", "--repo", "demo", "--format", "json"])
        #expect(jobs.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(jobs.stdout.utf8)) as? [Any])?.isEmpty == true, "\(jobs.stdout)")

        let noChange = try rotor(["plan", "--repo", "demo", "--at", "2026-12-02T00:00:00Z", "--detailed-exitcode"])
        #expect(noChange.status == 0)
        #expect(noChange.stdout.hasPrefix("No changes at 2026-12-02T00:00:00Z"))
        let due = try rotor(["plan", "--repo", "demo", "--at", "2027-01-05T00:00:00Z", "--detailed-exitcode"])
        #expect(due.status == 2)
        #expect(due.stdout.contains("~ rotate  payments/db-password v1 → v2"))

        #expect(try rotor(["apply", "--repo", "demo", "--at", "2027-01-05T00:00:00Z"]).status == 0)
        let graceRead = try rotor(["get", "payments/db-password", "--repo", "demo", "--version", "1", "--at", "2027-01-05T12:00:00Z"])
        #expect(graceRead.status == 0 && graceRead.stdout.count == 33)
        #expect(try rotor(["apply", "--repo", "demo", "--at", "2027-01-06T01:00:00Z"]).stdout.contains("- expire  payments/db-password v1"))
        let expiredRead = try rotor(["get", "payments/db-password", "--repo", "demo", "--version", "1", "--at", "2027-01-06T02:00:00Z"])
        #expect(expiredRead.status == 1)
        #expect(expiredRead.stderr.contains("payments/db-password v1 expired at 2027-01-06T01:00:00Z"))

        let history = try rotor(["history", "payments/db-password", "--repo", "demo", "--at", "2027-01-06T02:00:00Z"])
        #expect(history.stdout.contains("v2       active"))
        #expect(history.stdout.contains("v1       expired"))

        let rotate = try rotor(["rotate", "payments/db-password", "--repo", "demo", "--reason", "leaked in a log", "--at", "2027-01-07T00:00:00Z"])
        #expect(rotate.status == 0, "\(rotate.stderr)")
        #expect(rotate.stdout.contains("v2 → v3: leaked in a log"))

        let consumers = try rotor(["consumers", "payments/db-password", "--repo", "demo"])
        #expect(consumers.stdout.contains("billing-api"))
        let status = try rotor(["status", "--repo", "demo", "--at", "2027-01-07T00:00:00Z"])
        #expect(status.stdout.contains("payments/db-password  v3"))
        #expect(status.stdout.contains("2027-02-06T00:00:00Z"))
    }

    @Test func applyEncryptsNativelyUnlessRotorNativePGPIs0() throws {
        // Given the same repository twice, applied by the binary with and without ROTOR_NATIVE_PGP=0
        for (switchValue, expectNative) in [("1", true), ("0", false)] {
            let repo = try SecretsRepoFixture()
            let env = ["GNUPGHOME": repo.keyring.path, "ROTOR_NATIVE_PGP": switchValue]
            let apply = try Shell.run(Shell.rotorExecutable, ["apply", "--repo", repo.root, "--state", repo.statePath,
                                                              "--at", "2026-12-01T00:00:00Z"], environment: env)
            #expect(apply.status == 0, "\(apply.stderr)")
            // Then the value is written by the native encryptor (new-format PKESK, 0xC1) or by gpg
            // (old-format, 0x84), and gpg decrypts it either way
            let text = try String(contentsOfFile: repo.root + "/versions/payments/db-password.yaml", encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let begin = lines.firstIndex(of: "-----BEGIN PGP MESSAGE-----"), let end = lines.firstIndex(of: "-----END PGP MESSAGE-----") else {
                Issue.record("no armored value in the version file")
                continue
            }
            let armored = lines[begin...end].joined(separator: "\n") + "\n"
            let base64 = lines[(begin + 1)..<end].filter { !$0.isEmpty && !$0.hasPrefix("=") }.joined()
            #expect((Data(base64Encoded: base64)?.first == 0xC1) == expectNative, "ROTOR_NATIVE_PGP=\(switchValue)")
            let decrypted = try Shell.run("gpg", ["--homedir", repo.keyring.path, "--batch", "--quiet", "--decrypt"], input: Array(armored.utf8))
            #expect(decrypted.status == 0, "\(decrypted.stderr)")
            #expect(decrypted.stdout.count == 32)
        }
    }

    @Test func validationErrorsNameFileLineColumnAndExit1() throws {
        let repo = try SecretsRepoFixture()
        try repo.commit(["secrets/payments/bad.yaml": "apiVersion: rotor.dev/v1\nkind: Secret\nmetadata:\n  project: payments\n  name: bad\nspec:\n  policy: database-credentials\n  rotate: yes\n",
                         "policies/broken.yaml": "apiVersion: rotor.dev/v1\nkind: Policy\nmetadata: {name: broken}\nspec:\n  rotateEvery: soon\n"])
        let output = try repo.rotor(["validate"])
        #expect(output.status == 1)
        #expect(output.stdout.contains("policies/broken.yaml:5:16: error: field \"rotateEvery\" is not a positive duration"))
        #expect(output.stdout.contains("secrets/payments/bad.yaml:8:3: error: unknown field \"rotate\""))
        #expect(output.stdout.contains("2 errors found"))
        let plan = try repo.rotor(["plan", "--detailed-exitcode"])
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("policies/broken.yaml:5:16"))
    }

    @Test func validateWorktreeSeesUncommittedEdits() throws {
        let repo = try SecretsRepoFixture()
        try "apiVersion: rotor.dev/v1\nkind: Secret\n".write(toFile: repo.root + "/secrets/payments/draft.yaml", atomically: true, encoding: .utf8)
        #expect(try repo.rotor(["validate"]).status == 0)
        let worktree = try repo.rotor(["validate", "--worktree"])
        #expect(worktree.status == 1)
        #expect(worktree.stdout.contains("secrets/payments/draft.yaml:1:1: error: Secret document is missing required field \"metadata\""))
    }

    @Test func privateKeyFromTheEnvironmentIsUsedAndCleanedUp() throws {
        let repo = try SecretsRepoFixture()
        #expect(try repo.rotor(["apply", "--at", "2026-12-01T00:00:00Z"]).status == 0)
        let exported = try Shell.run("gpg", ["--homedir", repo.keyring.path, "--batch", "--export-secret-keys", "--armor", repo.keyring.fingerprint])
        let emptyHome = try TemporaryDirectory(prefix: "re")
        let scratch = try TemporaryDirectory(prefix: "rx")
        let get = try repo.rotor(["get", "payments/db-password"], environment: [
            "GNUPGHOME": emptyHome.path, "ROTOR_GPG_PRIVATE_KEY": exported.stdout, "TMPDIR": scratch.path,
        ])
        #expect(get.status == 0, "\(get.stderr)")
        #expect(get.stdout.count == 33)
        // The private keyring was made under TMPDIR and is gone; the empty GNUPGHOME was never used.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: emptyHome.path).isEmpty)
    }

    @Test func badArgumentsAreUsageErrors() throws {
        let repo = try SecretsRepoFixture()
        #expect(try repo.rotor(["plan", "--at", "tomorrow"]).status == 64)
        #expect(try repo.rotor(["get", "../etc/passwd"]).status == 64)
        let unknown = try repo.rotor(["get", "payments/nope"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no secret payments/nope in this repository; known: payments/db-password"))
    }
}

@Suite("The built-in example")
struct ExampleTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test func theExampleRepositoryValidatesPlansAndApplies() throws {
        let repo = try SecretsRepoFixture()
        var files: [String: String?] = [:]
        for folder in ["policies", "examples/secrets-repo/secrets", "examples/secrets-repo/keys"] {
            let base = Self.packageRoot + "/" + folder
            for path in try FileManager.default.subpathsOfDirectory(atPath: base) where path.hasSuffix(".yaml") {
                let target = "\(folder.split(separator: "/").last!)/\(path)"
                files[target] = try String(contentsOfFile: base + "/" + path, encoding: .utf8)
            }
        }
        let encrypted = try Shell.run("gpg", ["--homedir", repo.keyring.path, "--batch", "--trust-model", "always", "--encrypt", "--armor",
                                              "-r", repo.keyring.fingerprint], input: Array("sk_test_example".utf8))
        let head = try String(contentsOfFile: Self.packageRoot + "/examples/stripe-api-key.head.yaml", encoding: .utf8)
        files["secrets/payments/stripe-api-key.yaml"] = head + encrypted.stdout.split(separator: "\n").map { "    \($0)\n" }.joined()
        try repo.commit(files)
        let validate = try repo.rotor(["validate"])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        let plan = try repo.rotor(["plan", "--at", "2026-12-01T00:00:00Z", "--detailed-exitcode"])
        #expect(plan.status == 2)
        // Five declared secrets, three API keys (a partner's, the control plane's admin and billing-api's reader),
        // and a signing secret for each of the three services with a webhook.
        #expect(plan.stdout.contains("Plan: 11 to create"), "\(plan.stdout)")
        for service in ["billing-api", "ledger", "notifier"] {
            #expect(plan.stdout.contains("+ create  webhooks/\(service) v1: new secret (base64, 32 bytes, prefix whsec_)"))
        }
        #expect(try repo.rotor(["apply", "--at", "2026-12-01T00:00:00Z"]).status == 0)
        #expect(try repo.rotor(["get", "payments/stripe-api-key"]).stdout == "sk_test_example\n")
    }
}

@Suite("Secrets that come back")
struct RestoredSecretTests {
    @Test func aRevertedDeletionBringsTheSecretBackInsteadOfBreakingTheStore() throws {
        let repo = try SecretsRepoFixture()
        #expect(try repo.rotor(["apply", "--at", "2026-12-01T00:00:00Z"]).status == 0)
        let value = try repo.rotor(["get", "payments/db-password"]).stdout
        #expect(value.count > 10)
        // The secret is deleted in git (spec and versions); the store expires its version.
        try repo.commit(["secrets/payments/db-password.yaml": nil, "versions/payments/db-password.yaml": nil], message: "drop the password")
        #expect(try repo.rotor(["status", "--at", "2026-12-02T00:00:00Z"]).status == 0)
        #expect(try repo.rotor(["get", "payments/db-password"]).status != 0)
        // The deletion is reverted: every command works, and the secret is back with its value.
        try repo.git(["revert", "--no-edit", "HEAD"])
        let status = try repo.rotor(["status", "--at", "2026-12-03T00:00:00Z"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("payments/db-password"))
        #expect(try repo.rotor(["get", "payments/db-password"]).stdout == value)
        #expect(try repo.rotor(["audit"]).stdout.contains("secret.restored"))
    }
}

@Suite("Pull-request tooling")
struct PullRequestToolingTests {
    @Test func thePreCommitHookRefusesAPlaintextValue() throws {
        let repo = try SecretsRepoFixture()
        let hook = ExampleTests.packageRoot + "/examples/pre-commit"
        try FileManager.default.copyItem(atPath: hook, toPath: repo.root + "/.git/hooks/pre-commit")
        let plaintext = SecretsRepoFixture.secretSpec(project: "payments", name: "leak").replacingOccurrences(of: "  policy:", with: "  value: hunter2\n  policy:")
        try plaintext.write(toFile: repo.root + "/secrets/payments/leak.yaml", atomically: true, encoding: .utf8)
        try repo.git(["add", "-A"])
        let refused = try Shell.run("git", ["-C", repo.root, "commit", "-q", "-m", "oops"], environment: ["ROTOR": Shell.rotorExecutable])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("secrets/payments/leak.yaml:7:10: error: value must be an ASCII-armored PGP message"))
        #expect(!refused.stderr.contains("hunter2"))
        // Encrypted, it goes through.
        let encrypted = try Shell.run("gpg", ["--homedir", repo.keyring.path, "--batch", "--trust-model", "always", "--encrypt", "--armor",
                                              "-r", repo.keyring.fingerprint], input: Array("hunter2".utf8)).stdout
        try SecretsRepoFixture.secretSpec(project: "payments", name: "leak", value: encrypted)
            .write(toFile: repo.root + "/secrets/payments/leak.yaml", atomically: true, encoding: .utf8)
        try repo.git(["add", "-A"])
        let accepted = try Shell.run("git", ["-C", repo.root, "commit", "-q", "-m", "ok"], environment: ["ROTOR": Shell.rotorExecutable])
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }

    @Test func forecastPrintsACalendar() throws {
        let repo = try SecretsRepoFixture()
        #expect(try repo.rotor(["apply", "--at", "2026-12-01T00:00:00Z"]).status == 0)
        let output = try repo.rotor(["forecast", "--days", "31", "--at", "2026-12-01T00:00:00Z"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("2026-12-31T00:00:00Z  rotate  payments/db-password  v2"))
    }
}
