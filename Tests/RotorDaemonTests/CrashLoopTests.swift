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
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func randomKillsNeverLoseOrDuplicateAVersionAndGitAndStoreConverge() throws {
        let seed = ProcessInfo.processInfo.environment["ROTOR_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("crash loop seed: \(seed) (ROTOR_CRASH_SEED=\(seed) replays it)")
        var random = SplitMix(state: seed)
        let fixture = try RemoteFixture(files: [
            "policies/hourly.yaml": hourlyPolicy,
            "secrets/payments/session-key.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "session-key", policy: "hourly",
                                                                              consumers: ["checkout"]),
        ])
        let start = RFC3339.parse("2026-12-01T00:00:00Z")!
        let faults = ["after-lock", "after-commit", "after-push", "mid-store", "after-store"]
        let began = Date()
        var merged: [String] = []
        var at = start
        var (killed, faulted, finished) = (0, 0, 0)
        var iteration = 0
        var staleRemoteLocks = 0
        while iteration < 80, Date().timeIntervalSince(began) < 40 {
            iteration += 1
            at = at.addingTimeInterval(37 * 60)
            // A push to a local-path remote writes the remote's refs from rotor's own process, so a kill
            // mid-push can leave refs/heads/main.lock in the remote (git's CLI has the same property).
            // No process is running now: clear it, as an operator would (see README, Crash safety).
            staleRemoteLocks += Self.removeLocks(in: fixture.remote)
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
            if daemon.wasSignalled { killed += 1 } else if status == 137 { faulted += 1 } else {
                finished += 1
                #expect(status == 0, "iteration \(iteration) (seed \(seed)): \(daemon.stdout)\(daemon.stderr)")
            }
        }
        // A clean start after the last kill converges everything.
        staleRemoteLocks += Self.removeLocks(in: fixture.remote)
        let final = try fixture.rotor(fixture.daemonArguments(at: RFC3339.format(at.addingTimeInterval(60))))
        #expect(final.status == 0, "seed \(seed): \(final.stdout)")
        print("crash loop: \(iteration) runs, \(killed) killed, \(faulted) died at a fault point, \(finished) finished; stale remote ref locks cleared: \(staleRemoteLocks)")
        #expect(killed + faulted >= iteration / 3)

        let violations = try CrashInvariants.violations(fixture, mergedPullRequests: merged)
        #expect(violations.isEmpty, "seed \(seed): \(violations.joined(separator: "\n"))")
        let audit = try fixture.rotor(["audit", "verify", "--repo", fixture.workdir, "--state", fixture.statePath])
        #expect(audit.status == 0, "seed \(seed): \(audit.stdout)\(audit.stderr)")
        // Work was done: the hourly secret rotated many times.
        let versions = try GitVersions.history(gitDir: fixture.remote).count
        #expect(versions > iteration / 4)
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
