import CGit2
import Foundation
import RotorCore

extension GitRepository {
    /// Clones `url` (a path, `file://`, `https://` or `ssh://`) into `path` and checks out `branch`
    /// (`git_clone`).
    ///
    /// A password in `url` (`https://user:token@host/…`) is used for this clone but not stored:
    /// the clone's `origin` is the URL without it (``DisplayURL/withoutCredential(_:)``), so
    /// later fetches and pushes need it passed again. Other credentials come from the
    /// environment; see ``GitCredentials``.
    public static func clone(from url: String, to path: String, branch: String) throws -> GitRepository {
        try GitLibrary.ensureInitialized()
        let (stored, credential) = DisplayURL.withoutCredential(url)
        let source = GitCredentials(credential)
        var options = git_clone_options()
        try check(git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION)), "git_clone_options_init")
        options.fetch_opts.callbacks.credentials = GitCredentials.acquire
        options.fetch_opts.callbacks.payload = Unmanaged.passUnretained(source).toOpaque()
        var repository: OpaquePointer?
        try withExtendedLifetime(source) {
            try branch.withCString { branchName in
                options.checkout_branch = branchName
                do {
                    try check(git_clone(&repository, stored, path, &options), "git_clone")
                } catch let error as GitError {
                    throw error.redacting(credential).withHostKeyHint().prefixed("cannot clone \(DisplayURL.redacted(url))")
                }
            }
        }
        git_repository_free(repository)
        return try GitRepository.open(at: path)
    }

    /// Fetches `remote` with its configured refspecs (`git_remote_lookup`, `git_remote_fetch`).
    ///
    /// - Parameter credential: The user and password to answer the remote's challenge with
    ///   (those taken out of the remote's URL); the environment's otherwise.
    public func fetch(remote: String = "origin", credential: URLCredential? = nil) throws {
        try withRemote(remote) { handle in
            let source = GitCredentials(credential)
            var options = git_fetch_options()
            try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "git_fetch_options_init")
            options.callbacks.credentials = GitCredentials.acquire
            options.callbacks.payload = Unmanaged.passUnretained(source).toOpaque()
            options.prune = GIT_FETCH_PRUNE
            // rotor reads refs/remotes/<remote>/<branch>, never FETCH_HEAD.
            options.update_fetchhead = 0
            try withExtendedLifetime(source) {
                do {
                    try check(git_remote_fetch(handle, nil, &options, "rotor: fetch"), "git_remote_fetch")
                } catch let error as GitError {
                    throw error.redacting(credential).withHostKeyHint().prefixed("cannot fetch from \(remote)")
                }
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
    /// - Parameter credential: As for ``fetch(remote:credential:)``.
    /// - Throws: `GitError` with `isNonFastForward` when the remote moved meanwhile: fetch,
    ///   re-plan on the new head and push again.
    public func push(remote: String = "origin", branch: String, credential: URLCredential? = nil) throws {
        try withRemote(remote) { handle in
            let source = GitCredentials(credential)
            var options = git_push_options()
            try check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "git_push_options_init")
            options.callbacks.credentials = GitCredentials.acquire
            options.callbacks.payload = Unmanaged.passUnretained(source).toOpaque()
            let refspec = "refs/heads/\(branch):refs/heads/\(branch)"
            try withExtendedLifetime(source) {
                try withStrarray([refspec]) { refspecs in
                    var specs = refspecs
                    do {
                        try check(git_remote_push(handle, &specs, &options), "git_remote_push")
                    } catch let error as GitError {
                        throw error.redacting(credential).withHostKeyHint().prefixed("cannot push \(branch) to \(remote)")
                    }
                }
            }
        }
    }

    /// Points `remote` at `url` (`git_remote_set_url`): rotor takes a credential an older clone
    /// stored in its config out of it.
    public func setRemoteURL(_ remote: String = "origin", to url: String) throws {
        try check(git_remote_set_url(pointer, remote, url), "git_remote_set_url")
        // A handle looked up before holds the old URL.
        if let stale = remoteHandles.removeValue(forKey: remote) { git_remote_free(stale) }
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

    /// Runs `body` with the named remote, looked up (`git_remote_lookup`) the first time only and
    /// kept for this handle's life (``setRemoteURL(_:to:)`` drops it).
    ///
    /// Not looked up per call: libgit2 1.5 (Debian 12's) leaks PCRE2 match data in
    /// `git_regexp_match` whenever a pattern does not match (fixed upstream in 1.6), and a lookup
    /// matches the `url.*.insteadOf` patterns against every config entry: ~0.5 MB per lookup
    /// with a dozen entries, which made a daemon's heap grow ~1 MB on every pass. A remote's
    /// settings changed in git config while the process runs are seen after a restart.
    func withRemote<T>(_ name: String, _ body: (OpaquePointer) throws -> T) throws -> T {
        if let cached = remoteHandles[name] { return try body(cached) }
        var remote: OpaquePointer?
        try check(git_remote_lookup(&remote, pointer, name), "git_remote_lookup")
        guard let remote else { throw GitError.unexpectedNull("git_remote_lookup") }
        remoteHandles[name] = remote
        return try body(remote)
    }
}

/// Credentials for remotes: the user and password taken out of the remote's URL (kept in memory
/// for the one operation), else the environment (never from arguments or files rotor writes).
///
/// - HTTPS: `ROTOR_GIT_USERNAME` (default: the URL's user name, else `x-access-token`) and `ROTOR_GIT_TOKEN`.
/// - SSH: `ROTOR_GIT_SSH_KEY` (a private key file; `ROTOR_GIT_SSH_PUBLIC_KEY` and
///   `ROTOR_GIT_SSH_PASSPHRASE` optional), else the running ssh-agent (`SSH_AUTH_SOCK`).
/// Local paths and `file://` need none.
///
/// The remote is answered once per operation: when it refuses what rotor gave, the operation
/// fails (`authentication failed`) instead of libgit2 asking again with the same answer.
public final class GitCredentials {
    let credential: URLCredential?
    private var answered = false

    init(_ credential: URLCredential?) {
        self.credential = credential
    }

    /// The libgit2 credential callback (`git_credential_acquire_cb`); its payload is a ``GitCredentials``.
    static let acquire: git_credential_acquire_cb = { out, _, usernameFromURL, allowed, payload in
        let source = payload.map { Unmanaged<GitCredentials>.fromOpaque($0).takeUnretainedValue() }
        if let source {
            if source.answered { return GIT_EAUTH.rawValue }
            source.answered = true
        }
        let environment = ProcessInfo.processInfo.environment
        let urlUser = usernameFromURL.map { String(cString: $0) }
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let credential = source?.credential {
            return git_credential_userpass_plaintext_new(out, credential.user, credential.password)
        }
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
            let user = urlUser ?? "git"
            if let key = environment["ROTOR_GIT_SSH_KEY"] {
                return git_credential_ssh_key_new(out, user, environment["ROTOR_GIT_SSH_PUBLIC_KEY"], key,
                                                  environment["ROTOR_GIT_SSH_PASSPHRASE"])
            }
            if environment["SSH_AUTH_SOCK"] != nil { return git_credential_ssh_key_from_agent(out, user) }
        }
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let token = environment["ROTOR_GIT_TOKEN"] {
            return git_credential_userpass_plaintext_new(out, environment["ROTOR_GIT_USERNAME"] ?? urlUser ?? "x-access-token", token)
        }
        return GIT_PASSTHROUGH.rawValue
    }
}
