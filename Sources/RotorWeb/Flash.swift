/// A message shown once on the page a form redirects to: what an action did, or the proposal it made.
struct Flash: Sendable {
    enum Kind: String, Sendable {
        case success, error
    }

    let kind: Kind
    let text: String
    /// A proposal the action made: its branch and pull-request plan.
    var proposal: ProposalView?
}

/// A proposal as the page shows it: the branch, the commit and the plan as `rotor plan --base` prints it.
struct ProposalView: Sendable {
    let id: String
    let branch: String
    let commit: String
    let plan: String
}
