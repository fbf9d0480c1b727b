import Foundation
import RotorCore

/// A spec change committed on a branch of its own, with what merging it would do.
///
/// Push ``ref`` to open a pull request; the reconciled branch, the index and the working tree
/// were not touched.
public struct Proposal: Codable, Sendable {
    /// The proposal's id: `<yyyyMMdd-HHmmss>-<6 hex>` (UTC), so ids sort by creation time.
    public let id: String
    /// The branch: `rotor/proposals/<id>`.
    public let branch: String
    /// The branch's full reference name, `refs/heads/rotor/proposals/<id>` (what a caller pushes).
    public let ref: String
    /// The proposal's commit.
    public let commit: String
    /// The reconciled branch the proposal is made against, e.g. `refs/heads/main`.
    public let baseBranch: String
    /// The commit of the reconciled branch the proposal starts from (the commit's parent).
    public let base: String
    /// The commit's subject, e.g. `rotor proposal: create secret payments/db-password`.
    public let title: String
    /// The files the commit writes or deletes.
    public let files: [String]
    /// Files re-rendered in rotor's block style because an in-place edit could not make the
    /// change (their comments are gone); empty in the usual case.
    public let rewritten: [String]
    /// What `rotor plan --base <baseBranch> --head <branch>` reports: the spec changes, read
    /// access gained or lost, warnings, and the plan at merge.
    public let plan: PullRequestPlan
}

/// One proposal branch, as ``Engine/proposals()`` lists it.
public struct ProposalSummary: Codable, Sendable {
    /// The id (the branch name after `rotor/proposals/`).
    public let id: String
    /// The branch, `rotor/proposals/<id>`.
    public let branch: String
    /// The commit the branch points at.
    public let commit: String
    /// Its subject line.
    public let title: String
    /// Who proposed it (`Name <email>`).
    public let author: String
    /// When it was committed.
    public let createdAt: Date
    /// Whether the reconciled branch already contains the commit (the pull request was merged).
    public let merged: Bool
}
