/// The metadata of one commit, copied out of libgit2.
public struct CommitInfo: Sendable {
    /// The commit's id.
    public let id: ObjectID
    /// Who wrote the change.
    public let author: GitSignature
    /// Who recorded the commit.
    public let committer: GitSignature
    /// The full commit message (as `git_commit_message` returns it: leading newlines trimmed).
    public let message: String
    /// Parent commit ids, first parent first; empty for a root commit.
    public let parents: [ObjectID]

    /// Creates commit metadata.
    public init(id: ObjectID, author: GitSignature, committer: GitSignature, message: String, parents: [ObjectID]) {
        self.id = id
        self.author = author
        self.committer = committer
        self.message = message
        self.parents = parents
    }
}
