import Foundation
import Testing
import RotorCore
import RotorTesting

/// kill -9 the daemon at random moments, many times, against a remote where pull requests keep
/// merging; restart each time; then check every invariant (see ``CrashInvariants``).
///
/// The seed is printed; `ROTOR_CRASH_SEED=<n>` replays a run. Bounded to ~40 s of kills.
@Suite("Daemon: randomized kill -9 loop")
struct CrashLoopTests {
    /// What the loop saw, checked by the test once the loop is over.
    struct Outcome {
        var seed: UInt64 = 0
        var iteration = 0
        var killed = 0, faulted = 0, finished = 0, staleRemoteLocks = 0
        var unexpectedExits: [String] = []
        var finalStatus: Int32 = -1
        var finalOutput = ""
        var violations: [String] = []
        var auditStatus: Int32 = -1
        var remoteCommits = 0
    }

    @Test func randomKillsNeverLoseOrDuplicateAVersionAndGitAndStoreConverge() async throws {
        let outcome = try await offTheCooperativePool { try Self.runLoop() }
        let seed = outcome.seed
        print("crash loop: \(outcome.iteration) runs, \(outcome.killed) killed, \(outcome.faulted) died at a fault point, \(outcome.finished) finished; stale remote ref locks cleared: \(outcome.staleRemoteLocks)")
        #expect(outcome.unexpectedExits.isEmpty, "seed \(seed): \(outcome.unexpectedExits.joined(separator: "\n"))")
        #expect(outcome.finalStatus == 0, "seed \(seed): \(outcome.finalOutput)")
        #expect(outcome.killed + outcome.faulted >= outcome.iteration / 3)
        #expect(outcome.violations.isEmpty, "seed \(seed): \(outcome.violations.joined(separator: "\n"))")
        #expect(outcome.auditStatus == 0, "seed \(seed): rotor audit verify failed")
        // Work was done: the hourly secret rotated many times.
        #expect(outcome.remoteCommits > outcome.iteration / 4)
    }

    /// The loop itself; blocking, and free of test assertions (it runs off the cooperative pool).
    static func runLoop() throws -> Outcome {
        var outcome = Outcome()
        let seed = ProcessInfo.processInfo.environment["ROTOR_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("crash loop seed: \(seed) (ROTOR_CRASH_SEED=\(seed) replays it)")
        outcome.seed = seed
        var random = SplitMix64(seed: seed)
        let fixture = try RemoteFixture(files: [
            "policies/hourly.yaml": hourlyPolicy,
            "secrets/payments/session-key.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "session-key", policy: "hourly",
                                                                              consumers: ["checkout"]),
        ])
        let start = RFC3339.parse("2026-12-01T00:00:00Z")!
        let faults = ["after-lock", "after-commit", "after-push", "mid-store", "after-store", "before-deliver"]
        let began = Date()
        var merged: [String] = []
        var at = start
        var iteration = 0
        while iteration < 80, Date().timeIntervalSince(began) < 40 {
            iteration += 1
            at = at.addingTimeInterval(37 * 60)
            // A push to a local-path remote writes the remote's refs from rotor's own process, so a kill
            // mid-push can leave refs/heads/main.lock in the remote (git's CLI has the same property).
            // No process is running now: clear it, as an operator would (see README, Crash safety).
            outcome.staleRemoteLocks += removeLocks(in: fixture.remote)
            if Int.random(in: 0..<4, using: &random) == 0 {
                merged.append(try fixture.mergePullRequest(["notes/pr-\(iteration).md": "pull request \(iteration)\n"]))
            }
            if iteration % 12 == 6 {
                let name = "token-\(iteration)"
                merged.append(try fixture.mergePullRequest(["secrets/load/\(name).yaml": SecretsRepoFixture.secretSpec(project: "load", name: name, policy: "hourly")]))
            }
            var environment = ["GNUPGHOME": fixture.seed.keyring.path]
            if Int.random(in: 0..<5, using: &random) == 0 { environment["ROTOR_FAULT"] = faults.randomElement(using: &random) }
            let daemon = try RunningProcess(Shell.rotorExecutable, fixture.daemonArguments(at: RFC3339.format(at)), environment: environment,
                                            directory: fixture.seed.directory.path)
            if Int.random(in: 0..<10, using: &random) < 7 {
                usleep(UInt32(Int.random(in: 0..<250, using: &random)) * 1000)
                daemon.send(SIGKILL)
            }
            let status = daemon.waitForExit(timeout: 60)
            if daemon.wasSignalled, daemon.stderr.contains("stopping abruptly here") { outcome.faulted += 1 } else if daemon.wasSignalled { outcome.killed += 1 } else {
                outcome.finished += 1
                if status != 0 { outcome.unexpectedExits.append("iteration \(iteration) exited \(status.map(String.init) ?? "never"): \(daemon.stdout)\(daemon.stderr)") }
            }
        }
        outcome.iteration = iteration
        // A clean start after the last kill converges everything.
        outcome.staleRemoteLocks += removeLocks(in: fixture.remote)
        let final = try fixture.rotor(fixture.daemonArguments(at: RFC3339.format(at.addingTimeInterval(60))))
        outcome.finalStatus = final.status
        outcome.finalOutput = final.stdout + final.stderr
        outcome.violations = try CrashInvariants.violations(fixture, mergedPullRequests: merged)
        outcome.auditStatus = try fixture.rotor(["audit", "verify", "--repo", fixture.workdir, "--state", fixture.statePath]).status
        outcome.remoteCommits = try GitVersions.history(gitDir: fixture.remote).count
        return outcome
    }

    /// Removes `*.lock` files under a bare repository's refs (and packed-refs.lock); returns how many.
    static func removeLocks(in bare: String) -> Int {
        var removed = 0
        let manager = FileManager.default
        for relative in ["packed-refs.lock", "HEAD.lock"] + (manager.enumerator(atPath: bare + "/refs")?.compactMap { $0 as? String }.map { "refs/" + $0 } ?? [])
        where relative.hasSuffix(".lock") {
            if (try? manager.removeItem(atPath: bare + "/" + relative)) != nil { removed += 1 }
        }
        return removed
    }
}
