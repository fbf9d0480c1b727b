import CGit2
import Foundation
import RotorCore

extension GitRepository {
    /// Clones `url` (a path, `file://`, `https://` or `ssh://`) into `path` and checks out `branch`
    /// (`git_clone`). Credentials come from the environment; see ``GitCredentials``.
    public static func clone(from url: String, to path: String, branch: String) throws -> GitRepository {
        try GitLibrary.ensureInitialized()
        var options = git_clone_options()
        try check(git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION)), "git_clone_options_init")
        options.fetch_opts.callbacks.credentials = GitCredentials.acquire
        var repository: OpaquePointer?
        try branch.withCString { branchName in
            options.checkout_branch = branchName
            do {
                try check(git_clone(&repository, url, path, &options), "git_clone")
            } catch let error as GitError {
                throw error.prefixed("cannot clone \(DisplayURL.redacted(url))")
            }
        }
        git_repository_free(repository)
        return try GitRepository.open(at: path)
    }

    /// Fetches `remote` with its configured refspecs (`git_remote_lookup`, `git_remote_fetch`).
    public func fetch(remote: String = "origin") throws {
        try withRemote(remote) { handle in
            var options = git_fetch_options()
            try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "git_fetch_options_init")
            options.callbacks.credentials = GitCredentials.acquire
            options.prune = GIT_FETCH_PRUNE
            do {
                try check(git_remote_fetch(handle, nil, &options, "rotor: fetch"), "git_remote_fetch")
            } catch let error as GitError {
                throw error.prefixed("cannot fetch from \(remote)")
            }
        }
    }

    /// The commit `refs/remotes/<remote>/<branch>` points at after a fetch, nil when absent.
    public func remoteBranchTip(remote: String = "origin", branch: String) throws -> ObjectID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, pointer, "refs/remotes/\(remote)/\(branch)")
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "git_reference_name_to_id")
        return ObjectID(oid)
    }

    /// Pushes `refs/heads/<branch>` to the same branch on `remote` (`git_remote_push`).
    ///
    /// - Throws: `GitError` with `isNonFastForward` when the remote moved meanwhile: fetch,
    ///   re-plan on the new head and push again.
    public func push(remote: String = "origin", branch: String) throws {
        try withRemote(remote) { handle in
            var options = git_push_options()
            try check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "git_push_options_init")
            options.callbacks.credentials = GitCredentials.acquire
            let refspec = "refs/heads/\(branch):refs/heads/\(branch)"
            try withStrarray([refspec]) { refspecs in
                var specs = refspecs
                do {
                    try check(git_remote_push(handle, &specs, &options), "git_remote_push")
                } catch let error as GitError {
                    throw error.prefixed("cannot push \(branch) to \(remote)")
                }
            }
        }
    }

    /// Moves `refs/heads/<branch>` to `target` when that is a fast-forward, and checks it out
    /// (the working tree is rotor's own clone, so it is made to match exactly).
    ///
    /// - Returns: false when `target` is not a descendant of the branch (the branches diverged).
    @discardableResult
    public func fastForward(branch: String, to target: ObjectID) throws -> Bool {
        let name = "refs/heads/\(branch)"
        var current = git_oid()
        let code = git_reference_name_to_id(&current, pointer, name)
        if code != GIT_ENOTFOUND.rawValue {
            try check(code, "git_reference_name_to_id")
            let head = ObjectID(current)
            if head == target { return true }
            guard try isAncestor(head, of: target) else { return false }
        }
        var targetID = target.oid
        var reference: OpaquePointer?
        defer { git_reference_free(reference) }
        if code == GIT_ENOTFOUND.rawValue {
            try check(git_reference_create(&reference, pointer, name, &targetID, 0, "rotor: fast-forward"), "git_reference_create")
        } else {
            try check(git_reference_create_matching(&reference, pointer, name, &targetID, 1, &current, "rotor: fast-forward"),
                      "git_reference_create_matching")
        }
        try checkoutHead(paths: [], force: true)
        return true
    }

    /// Runs `body` with the named remote (`git_remote_lookup`), freed afterwards.
    private func withRemote<T>(_ name: String, _ body: (OpaquePointer) throws -> T) throws -> T {
        var remote: OpaquePointer?
        try check(git_remote_lookup(&remote, pointer, name), "git_remote_lookup")
        defer { git_remote_free(remote) }
        guard let remote else { throw GitError.unexpectedNull("git_remote_lookup") }
        return try body(remote)
    }
}

/// Credentials for remotes, from the environment (never from arguments or files rotor writes).
///
/// - HTTPS: `ROTOR_GIT_USERNAME` (default `x-access-token`) and `ROTOR_GIT_TOKEN`.
/// - SSH: `ROTOR_GIT_SSH_KEY` (a private key file; `ROTOR_GIT_SSH_PUBLIC_KEY` and
///   `ROTOR_GIT_SSH_PASSPHRASE` optional), else the running ssh-agent (`SSH_AUTH_SOCK`).
/// Local paths and `file://` need none.
public enum GitCredentials {
    /// The libgit2 credential callback (`git_credential_acquire_cb`).
    static let acquire: git_credential_acquire_cb = { out, _, usernameFromURL, allowed, _ in
        let environment = ProcessInfo.processInfo.environment
        let user = usernameFromURL.map { String(cString: $0) } ?? "git"
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
            if let key = environment["ROTOR_GIT_SSH_KEY"] {
                return git_credential_ssh_key_new(out, user, environment["ROTOR_GIT_SSH_PUBLIC_KEY"], key,
                                                  environment["ROTOR_GIT_SSH_PASSPHRASE"])
            }
            if environment["SSH_AUTH_SOCK"] != nil { return git_credential_ssh_key_from_agent(out, user) }
        }
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let token = environment["ROTOR_GIT_TOKEN"] {
            return git_credential_userpass_plaintext_new(out, environment["ROTOR_GIT_USERNAME"] ?? "x-access-token", token)
        }
        return GIT_PASSTHROUGH.rawValue
    }
}
