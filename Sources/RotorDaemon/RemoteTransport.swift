import RotorCore
import RotorGit

/// How a pass talks to the remote: fetch the branch, push it.
///
/// The real one is ``GitRemoteTransport``; tests wrap it to move the remote at a chosen moment
/// (a pull request merged while rotor works).
public protocol RemoteTransport {
    /// Fetches the remote (updates `refs/remotes/<remote>/<branch>`).
    func fetch() throws
    /// Pushes the local branch to the remote's branch; throws `GitError` with `isNonFastForward` when the remote moved.
    func push() throws
}

/// Fetch and push through libgit2, with the credential taken out of `--remote`'s URL or the
/// environment's (see `GitCredentials`).
public struct GitRemoteTransport: RemoteTransport {
    /// rotor's clone.
    public let repository: GitRepository
    /// The remote's name in the clone.
    public let remote: String
    /// The branch.
    public let branch: String
    /// The user and password `--remote` carried (never stored in the clone).
    let credential: URLCredential?

    /// Creates a transport for `branch` of `remote` in `repository`, answering the remote's
    /// challenge with `credential` when there is one.
    public init(repository: GitRepository, remote: String, branch: String, credential: URLCredential? = nil) {
        self.repository = repository
        self.remote = remote
        self.branch = branch
        self.credential = credential
    }

    /// `git fetch <remote>`.
    public func fetch() throws { try repository.fetch(remote: remote, credential: credential) }

    /// `git push <remote> <branch>:<branch>` (never forced).
    public func push() throws { try repository.push(remote: remote, branch: branch, credential: credential) }
}
