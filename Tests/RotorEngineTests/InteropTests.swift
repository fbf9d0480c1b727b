import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorTesting

@Suite("Interoperability with the gpg and git CLIs")
struct InteropTests {
    let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!
    let db = SecretID(project: "payments", name: "db-password")

    @Test func gpgDecryptsWhatRotorWrote() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        let text = try String(contentsOfFile: repo.root + "/versions/payments/db-password.yaml", encoding: .utf8)
        let armored = try #require(Self.firstArmor(in: text))
        let decrypted = try Shell.run("gpg", ["--homedir", repo.keyring.path, "--batch", "--quiet", "--decrypt"], input: Array(armored.utf8))
        #expect(decrypted.status == 0, "\(decrypted.stderr)")
        let viaRotor = try engine.get(db, version: nil, now: t0)
        #expect(decrypted.stdoutBytes == viaRotor.withUnsafeBytes { Array($0) })
        // The fixture's key is ed25519 + cv25519, so apply used the native encryptor.
        #expect(Self.isNativeMessage(armored))
    }

    @Test func applyAndRekeyWriteNativeMessagesThatGpgDecrypts() throws {
        // Given a repository with an API key and a secret, applied and then rekeyed to a second person
        let repo = try SecretsRepoFixture()
        try repo.commit(["policies/partner-keys.yaml": SecretsRepoFixture.keyPolicy(),
                         "keys/payments/partner.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "partner")])
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        let newcomer = try TestKeyring(userID: "newcomer <n@x.invalid>")
        try repo.commit(["rotor.yaml": Scaffold.config(recipients: [repo.keyring.fingerprint, newcomer.fingerprint]),
                         "recipients/\(newcomer.fingerprint).asc": try newcomer.publicKey()])
        _ = try engine.rekey(now: t0.addingTimeInterval(60), dryRun: false)
        // Then every value in git is a native message, and both people's gpg decrypt it to what rotor reads
        let files = ["versions/payments/db-password.yaml", "versions/keys/payments/partner.yaml"]
        let secret = try engine.get(db, version: nil, now: t0.addingTimeInterval(60)).withUnsafeBytes { Array($0) }
        for file in files {
            let text = try String(contentsOfFile: repo.root + "/" + file, encoding: .utf8)
            let armored = try #require(Self.firstArmor(in: text), "\(file)")
            #expect(Self.isNativeMessage(armored), "\(file)")
            for home in [repo.keyring.path, newcomer.path] {
                let out = try Shell.run("gpg", ["--homedir", home, "--batch", "--quiet", "--status-fd", "2", "--decrypt"], input: Array(armored.utf8))
                #expect(out.status == 0 && out.stderr.contains("GOODMDC"), "\(file): \(out.stderr)")
                if file.hasPrefix("versions/payments") { #expect(out.stdoutBytes == secret) }
                else { #expect(String(decoding: out.stdoutBytes, as: UTF8.self).hasPrefix("rk_sec_")) }
            }
        }
    }

    @Test func rotorAcceptsAValueEncryptedByGpg() throws {
        let repo = try SecretsRepoFixture()
        let canary = "issued-by-stripe-\(UUID().uuidString)"
        let encrypted = try Shell.run("gpg", ["--homedir", repo.keyring.path, "--batch", "--trust-model", "always", "--encrypt", "--armor",
                                              "-r", repo.keyring.fingerprint], input: Array(canary.utf8))
        #expect(encrypted.status == 0)
        try repo.commit(["secrets/payments/stripe-key.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "stripe-key", value: encrypted.stdout)])
        let engine = try repo.engine()
        let result = try engine.apply(now: t0)
        #expect(result.plan.actions.count == 3)  // db-password, stripe-key, webhooks/billing-api
        let value = try engine.get(SecretID(project: "payments", name: "stripe-key"), version: nil, now: t0)
        #expect(value.utf8String() == canary)

        // Changing the value in a new commit is a rotation naming that commit.
        let reissued = try Shell.run("gpg", ["--homedir", repo.keyring.path, "--batch", "--trust-model", "always", "--encrypt", "--armor",
                                             "-r", repo.keyring.fingerprint], input: Array("second-\(canary)".utf8))
        let commit = try repo.commit(["secrets/payments/stripe-key.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "stripe-key", value: reissued.stdout)])
        let plan = try engine.plan(now: t0.addingTimeInterval(60))
        #expect(plan.actions.map(\.kind) == [.rotate])
        #expect(plan.actions.first?.reason == "value changed in \(commit.prefix(7))")
    }

    @Test func gitAcceptsRotorsCommitAndOnlyVersionsChanged() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        let before = try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try engine.apply(now: t0)
        let fsck = try Shell.run("git", ["-C", repo.root, "fsck", "--strict", "--no-dangling"])
        #expect(fsck.status == 0, "\(fsck.stderr)")
        let log = try repo.git(["log", "--format=%an <%ae>|%s|%P", "-1"])
        #expect(log == "rotor <rotor@localhost>|rotor: 2 created|\(before)\n")
        let changed = try repo.git(["diff", "--name-only", before, "HEAD"])
        #expect(changed == "versions/payments/db-password.yaml\nversions/webhooks/billing-api.yaml\n")
        #expect(try repo.git(["status", "--porcelain"]) == "")
        #expect(result.commit?.hex == (try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// True when the first packet is a new-format PKESK (0xC1): rotor's native encryptor. gpg
    /// writes old-format session-key packets (0x84 / 0x85).
    static func isNativeMessage(_ armored: String) -> Bool {
        OpenPGPArmor.dearmor(armored, label: "MESSAGE")?.first == 0xC1
    }

    static func firstArmor(in text: String) -> String? {
        guard let start = text.range(of: "-----BEGIN PGP MESSAGE-----"), let end = text.range(of: "-----END PGP MESSAGE-----") else { return nil }
        let block = String(text[start.lowerBound..<end.upperBound])
        return block.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n") + "\n"
    }
}
