import Foundation
import RotorCore
import RotorStore
import RotorTesting

/// The crash-safety invariants, checked against the remote's history, rotor's clone, the store and `git fsck`:
/// no version lost, none issued twice, git and store converged, every event written at least once.
enum CrashInvariants {
    /// Every violation found (empty when all hold).
    static func violations(_ fixture: RemoteFixture, mergedPullRequests: [String] = []) throws -> [String] {
        var problems: [String] = []
        for gitDir in [fixture.remote, fixture.workdir] {
            let fsck = try Shell.run("git", ["-C", gitDir, "fsck", "--strict", "--no-progress"])
            if fsck.status != 0 { problems.append("git fsck \(gitDir): \(fsck.stdout)\(fsck.stderr)") }
        }
        let tip = try fixture.remoteTip()
        let head = try Shell.run("git", ["-C", fixture.workdir, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if head != tip { problems.append("rotor's clone is at \(head), the remote at \(tip)") }
        for commit in mergedPullRequests where !(try fixture.remoteContains(commit)) {
            problems.append("merged pull request \(commit) is not in the remote's history")
        }

        // Every version ever pushed: one id and one ciphertext per (secret, number), numbers without gaps.
        var everPushed: [SecretID: [Int: SecretVersion]] = [:]
        for commit in try GitVersions.history(gitDir: fixture.remote) {
            for (id, file) in try GitVersions.files(gitDir: fixture.remote, revision: commit) {
                for version in file.versions {
                    if let prior = everPushed[id]?[version.version] {
                        if prior.id != version.id || prior.valueEncrypted != version.valueEncrypted {
                            problems.append("\(id) v\(version.version) was issued twice (\(prior.id), \(version.id))")
                        }
                    } else {
                        everPushed[id, default: [:]][version.version] = version
                    }
                }
            }
        }
        let live = try GitVersions.files(gitDir: fixture.remote, revision: tip)
        guard let store = try StateStore.openReadOnly(path: fixture.statePath) else { return problems + ["no state store"] }
        let events = try store.events()
        for (id, versions) in everPushed {
            let numbers = versions.keys.sorted()
            if numbers != Array(1...(numbers.last ?? 0)) { problems.append("\(id): version numbers have a gap: \(numbers)") }
            let times = versions.values.map(\.createdAt)
            if Set(times).count != times.count { problems.append("\(id): two versions created at the same instant (rotated twice)") }
            let history = try store.history(of: id)
            let stored = Dictionary(history.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
            if Set(stored.keys) != Set(numbers) { problems.append("\(id): store has v\(stored.keys.sorted()), git had v\(numbers)") }
            for (number, version) in versions {
                guard let row = stored[number] else { continue }
                if row.id != version.id { problems.append("\(id) v\(number): store id \(row.id), git id \(version.id)") }
                let kind = version.rotatedFrom == nil ? "secret.created" : "secret.rotated"
                if !events.contains(where: { $0.type == kind && $0.versionID == version.id }) {
                    problems.append("\(id) v\(number): no \(kind) event in the outbox")
                }
                let isLive = live[id]?.versions.contains { $0.id == version.id } ?? false
                if isLive, row.state == "expired" { problems.append("\(id) v\(number) is live in git but expired in the store") }
                if !isLive {
                    if row.state != "expired" { problems.append("\(id) v\(number) left git but the store has it \(row.state)") }
                    if !events.contains(where: { ($0.type == "secret.expired" || $0.type == "secret.deleted") && $0.versionID == version.id }) {
                        problems.append("\(id) v\(number): no secret.expired event in the outbox")
                    }
                }
            }
        }
        let pending = try store.pendingVersions()
        if !pending.isEmpty { problems.append("pending versions left after a clean pass: \(pending.values.map(\.versionID))") }
        return problems
    }
}
