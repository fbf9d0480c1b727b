import Foundation
import RotorCore

/// A bare repository standing in for the secrets repository's remote, seeded by `rotor init`,
/// with a person's clone that merges "pull requests" into it, and paths for the daemon's clone and store.
public final class RemoteFixture: Sendable {
    /// A person's clone (pushes specs to the remote); its keyring holds the recipient's key.
    public let seed: SecretsRepoFixture
    /// The bare remote's path.
    public let remote: String
    /// Where the daemon keeps its clone (empty until the first pass).
    public let workdir: String
    /// Where the daemon keeps its store.
    public let statePath: String

    /// Scaffolds a repository, optionally adds `files` in a second commit, and pushes both to a new bare remote.
    public init(files: [String: String?] = [:], at now: Date = RFC3339.parse("2026-12-01T00:00:00Z")!) throws {
        seed = try SecretsRepoFixture(at: now)
        remote = seed.directory.path("remote.git")
        workdir = seed.directory.path("clone")
        statePath = seed.directory.path("dstate/state.db")
        let created = try Shell.run("git", ["init", "-q", "--bare", "-b", "main", remote])
        guard created.status == 0 else { throw FixtureError("git init --bare failed: \(created.stderr)") }
        if !files.isEmpty { try seed.commit(files, message: "specs for the daemon") }
        try seed.git(["remote", "add", "origin", remote])
        try seed.git(["push", "-q", "origin", "main"])
    }

    /// Merges a change the way a person's pull request lands: pull, commit, push. Returns the commit.
    @discardableResult
    public func mergePullRequest(_ files: [String: String?], message: String = "merged pull request") throws -> String {
        try seed.git(["pull", "-q", "--ff-only", "origin", "main"])
        let commit = try seed.commit(files, message: message)
        try seed.git(["push", "-q", "origin", "main"])
        return commit
    }

    /// Runs the git CLI against the bare remote; throws when it fails.
    @discardableResult
    public func remoteGit(_ arguments: [String]) throws -> String {
        let output = try Shell.run("git", ["-C", remote] + arguments)
        guard output.status == 0 else { throw FixtureError("git \(arguments.joined(separator: " ")) failed: \(output.stderr)") }
        return output.stdout
    }

    /// The remote branch's tip.
    public func remoteTip(_ branch: String = "main") throws -> String {
        try remoteGit(["rev-parse", branch]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A file's text at `revision` of the remote, nil when absent.
    public func remoteFile(_ path: String, at revision: String = "main") throws -> String? {
        let output = try Shell.run("git", ["-C", remote, "show", "\(revision):\(path)"])
        return output.status == 0 ? output.stdout : nil
    }

    /// Whether `commit` is in the remote branch's history.
    public func remoteContains(_ commit: String, branch: String = "main") throws -> Bool {
        try Shell.run("git", ["-C", remote, "merge-base", "--is-ancestor", commit, branch]).status == 0
    }

    /// Runs the rotor executable with the seed's keyring (no `--repo` or `--state` added).
    public func rotor(_ arguments: [String], environment: [String: String] = [:]) throws -> Shell.Output {
        var env = ["GNUPGHOME": seed.keyring.path]
        for (key, value) in environment { env[key] = value }
        return try Shell.run(Shell.rotorExecutable, arguments, environment: env)
    }

    /// `rotor daemon` arguments for this remote, clone and store.
    public func daemonArguments(once: Bool = true, at: String? = nil, extra: [String] = []) -> [String] {
        var arguments = ["daemon", "--remote", remote, "--workdir", workdir, "--state", statePath]
        if once { arguments.append("--once") }
        if let at { arguments += ["--at", at] }
        return arguments + extra
    }
}
