import Foundation
import Testing
import RotorTesting

/// Files a person (or an attacker) can put where rotor reads specs: symlinks and huge files.
/// Each is refused by what it is or by its size, without being followed or read.
@Suite("Hostile spec files")
struct HostileFilesTests {
    /// Runs the rotor binary under a Python parent and returns its output and its peak RSS in KiB
    /// (`RUSAGE_CHILDREN` of a parent with one child is that child's own).
    func rotorMeasured(_ repo: SecretsRepoFixture, _ arguments: [String]) throws -> (output: (status: Int, stdout: String), peakKiB: Int) {
        let script = """
            import resource, subprocess, sys
            run = subprocess.run(sys.argv[1:], capture_output=True)
            sys.stdout.buffer.write(run.stdout + run.stderr)
            sys.stdout.write("\\nexit=%d rss=%d\\n" % (run.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
            """
        let ran = try Shell.run("python3", ["-c", script, Shell.rotorExecutable] + arguments + ["--repo", repo.root, "--state", repo.statePath],
                                environment: ["GNUPGHOME": repo.keyring.path])
        let last = ran.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let fields = Dictionary(uniqueKeysWithValues: last.split(separator: " ").compactMap { field -> (String, Int)? in
            let parts = field.split(separator: "=")
            return parts.count == 2 ? (String(parts[0]), Int(parts[1]) ?? -1) : nil
        })
        return ((fields["exit"] ?? -1, ran.stdout), fields["rss"] ?? Int.max)
    }

    @Test func aHugeFileIsRefusedByItsSizeWithFlatMemory() throws {
        let repo = try SecretsRepoFixture()
        let (_, baseline) = try rotorMeasured(repo, ["validate", "--worktree"])
        // Given a 500 MB sparse file in the work tree
        let huge = repo.root + "/secrets/payments/huge.yaml"
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: huge))
        try handle.truncate(atOffset: 500 << 20)
        try handle.close()
        // When validated from the work tree, Then it is refused by its size, and memory stays flat
        let (worktree, worktreePeak) = try rotorMeasured(repo, ["validate", "--worktree"])
        #expect(worktree.status == 1)
        #expect(worktree.stdout.contains("secrets/payments/huge.yaml: error: file is 524288000 bytes; the limit is 1048576"), "\(worktree.stdout)")
        #expect(worktreePeak < baseline + 20 << 10, "peak \(worktreePeak) KiB, baseline \(baseline) KiB")
        try FileManager.default.removeItem(atPath: huge)

        // Given a 30 MB file committed to git
        try repo.commit(["secrets/payments/big.yaml": String(repeating: "a", count: 30_000_000)])
        // When validated at HEAD, Then its size comes from the object header: refused, memory flat
        let (head, headPeak) = try rotorMeasured(repo, ["validate"])
        #expect(head.status == 1)
        #expect(head.stdout.contains("secrets/payments/big.yaml: error: file is 30000000 bytes; the limit is 1048576"), "\(head.stdout)")
        #expect(headPeak < baseline + 20 << 10, "peak \(headPeak) KiB, baseline \(baseline) KiB")
        let plan = try repo.rotor(["plan"])
        #expect(plan.status == 1 && plan.stderr.contains("file is 30000000 bytes"))
    }

    @Test func aCommittedSecretsSymlinkIsAnErrorNotAnEmptyRepository() throws {
        // Given secrets applied, then `secrets` replaced by a committed symlink to a folder elsewhere
        let repo = try SecretsRepoFixture()
        #expect(try repo.rotor(["apply", "--deliver-timeout", "0"]).status == 0)
        let elsewhere = repo.directory.path("elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try repo.git(["rm", "-r", "-q", "secrets"])
        try FileManager.default.createSymbolicLink(atPath: repo.root + "/secrets", withDestinationPath: elsewhere)
        try repo.git(["add", "secrets"])
        try repo.git(["commit", "-q", "-m", "secrets elsewhere"])
        // When validated and planned, Then the symlink is the error, and nothing is planned for deletion
        let validate = try repo.rotor(["validate"])
        #expect(validate.status == 1)
        #expect(validate.stderr.contains("secrets: error: symlinks are not allowed") || validate.stdout.contains("secrets: error: symlinks are not allowed"),
                "\(validate.stdout)\(validate.stderr)")
        let plan = try repo.rotor(["plan", "--detailed-exitcode"])
        #expect(plan.status == 1)
        #expect(!plan.stdout.contains("delete"))
    }

    @Test func worktreeAndStagedSymlinksAreRefusedAndTheirTargetsNeverEchoed() throws {
        // Given a symlink under secrets/ to a file outside the repository whose first key is a canary
        let repo = try SecretsRepoFixture()
        let outside = repo.directory.path("outside.yaml")
        try "canary-3c9e1f: not-a-spec\n".write(toFile: outside, atomically: true, encoding: .utf8)
        let link = repo.root + "/secrets/payments/linked.yaml"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: outside)
        // When validated from the work tree, Then the link is refused, and the target's content never shows
        let worktree = try repo.rotor(["validate", "--worktree"])
        #expect(worktree.status == 1)
        let said = worktree.stdout + worktree.stderr
        #expect(said.contains("secrets/payments/linked.yaml: error: symlinks are not allowed"), "\(said)")
        #expect(!said.contains("canary-3c9e1f"))
        // And when staged, the same
        try repo.git(["add", "secrets/payments/linked.yaml"])
        let staged = try repo.rotor(["validate", "--staged"])
        #expect(staged.status == 1)
        #expect((staged.stdout + staged.stderr).contains("secrets/payments/linked.yaml: error: symlinks are not allowed"))
        #expect(!(staged.stdout + staged.stderr).contains("canary-3c9e1f"))
        // And a symlinked folder under keys/ is refused, not walked
        try FileManager.default.createSymbolicLink(atPath: repo.root + "/keys", withDestinationPath: repo.directory.path("state"))
        let folder = try repo.rotor(["validate", "--worktree"])
        #expect((folder.stdout + folder.stderr).contains("keys: error: symlinks are not allowed"))
    }
}
