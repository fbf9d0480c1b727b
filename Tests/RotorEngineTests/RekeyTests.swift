import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorTesting

@Suite("Rekey to a new recipient set")
struct RekeyTests {
    let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!

    @Test func rekeyReencryptsEveryLiveVersionInOneCommit() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        _ = try engine.apply(now: t0.addingTimeInterval(31 * 86_400))  // v2 active, v1 in grace: two live versions
        let newcomer = try TestKeyring(userID: "newcomer <n@x.invalid>")
        try repo.commit(["rotor.yaml": Scaffold.config(recipients: [repo.keyring.fingerprint, newcomer.fingerprint]),
                         "recipients/\(newcomer.fingerprint).asc": try newcomer.publicKey()])
        #expect(try engine.plan(now: t0.addingTimeInterval(31 * 86_400 + 60)).notices.contains { $0.message.contains("rotor rekey") })

        let dry = try engine.rekey(now: t0.addingTimeInterval(31 * 86_400 + 60), dryRun: true)
        #expect(dry.versions == ["payments/db-password v2", "payments/db-password v1", "webhooks/billing-api v1"])
        #expect(dry.commit == nil)

        let head = try repo.git(["rev-parse", "HEAD"])
        let result = try engine.rekey(now: t0.addingTimeInterval(31 * 86_400 + 60), dryRun: false)
        #expect(result.commit != nil)
        #expect(try repo.git(["rev-list", "--count", "\(head.trimmingCharacters(in: .whitespacesAndNewlines))..HEAD"]) == "1\n")
        // The newcomer's own key now opens both live versions with the gpg CLI.
        let text = try String(contentsOfFile: repo.root + "/versions/payments/db-password.yaml", encoding: .utf8)
        let blocks = text.components(separatedBy: "-----BEGIN PGP MESSAGE-----").dropFirst()
        #expect(blocks.count == 2)
        for block in blocks {
            let armored = "-----BEGIN PGP MESSAGE-----" + block.components(separatedBy: "-----END PGP MESSAGE-----")[0] + "-----END PGP MESSAGE-----\n"
            let clean = armored.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
            let out = try Shell.run("gpg", ["--homedir", newcomer.path, "--batch", "--quiet", "--decrypt"], input: Array(clean.utf8))
            #expect(out.status == 0, "\(out.stderr)")
        }
        #expect(try engine.plan(now: t0.addingTimeInterval(31 * 86_400 + 120)).notices.isEmpty)
    }

    @Test func aFailurePartWayLeavesGitAndStoreAsTheyWere() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        // A recipient whose public key nobody has: encryption must fail before anything is written.
        try repo.commit(["rotor.yaml": Scaffold.config(recipients: [repo.keyring.fingerprint, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"])])
        let head = try repo.git(["rev-parse", "HEAD"])
        let storeBytes = try Data(contentsOf: URL(fileURLWithPath: repo.statePath))
        #expect(throws: (any Error).self) { try engine.rekey(now: t0.addingTimeInterval(60), dryRun: false) }
        #expect(try repo.git(["rev-parse", "HEAD"]) == head)
        #expect(try repo.git(["status", "--porcelain"]) == "")
        #expect(try engine.history(of: SecretID(project: "payments", name: "db-password"), now: t0).count == 1)
        _ = storeBytes
    }
}
