import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorTesting

@Suite("Never leak a value")
struct CanaryTests {
    @Test func theCanaryAppearsOnlyInRotorGet() throws {
        let canary = "CANARY-\(UUID().uuidString)"
        let repo = try SecretsRepoFixture()
        let encrypted = try Shell.run("gpg", ["--homedir", repo.keyring.path, "--batch", "--trust-model", "always", "--encrypt", "--armor",
                                              "-r", repo.keyring.fingerprint], input: Array(canary.utf8))
        try repo.commit(["secrets/payments/canary.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "canary",
                                                                                          consumers: ["billing-api"], value: encrypted.stdout)])
        var printed = ""
        for arguments in [["validate"], ["plan"], ["plan", "--format", "json"], ["plan", "--format", "markdown"], ["apply"],
                          ["apply", "--at", "2030-01-01T00:00:00Z"], ["status"], ["history", "payments/canary"],
                          ["consumers", "payments/canary"], ["rotate", "payments/db-password", "--reason", "test"],
                          ["rekey"], ["rekey", "--dry-run"]] {
            let output = try repo.rotor(arguments)
            printed += output.stdout + output.stderr
        }
        let get = try repo.rotor(["get", "payments/canary"])
        #expect(get.stdout == canary + "\n")
        #expect(!printed.contains(canary))
        // Every object git has, loose or packed.
        let objects = try Shell.run("sh", ["-c", "git -C \(repo.root) cat-file --batch-all-objects --batch"])
        #expect(objects.status == 0)
        #expect(!objects.stdout.contains(canary))
        // The store, its WAL, the parse cache, and everything else under the fixture folder.
        #expect(FileManager.default.fileExists(atPath: repo.root + "/.git/rotor/parse-cache"))
        for path in FileManager.default.enumerator(atPath: repo.directory.path)?.compactMap({ $0 as? String }) ?? [] {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: repo.directory.path(path)))) ?? Data()
            #expect(data.range(of: Data(canary.utf8)) == nil, "canary found in \(path)")
        }
    }
}
