import Foundation

/// What merging a pull request would do: the spec changes, the plan at merge, and what to watch.
public struct PullRequestPlan: Codable, Sendable {
    /// The version of this JSON shape (documented in the README).
    public var formatVersion = 1
    /// The base commit.
    public var base: String
    /// The head commit.
    public var head: String
    /// The instant planned for.
    public var now: Date
    /// Validation errors of the head (the PR cannot merge cleanly while there are any).
    public var diagnostics: [Diagnostic]
    /// Commits of the PR that break the signature policy, as sentences.
    public var signatureViolations: [String]
    /// The spec changes.
    public var changes: [SpecChange]
    /// What `rotor apply` would do right after merging (nil when the head is invalid).
    public var planAtMerge: Plan?
    /// Things a reviewer should look at twice.
    public var warnings: [String]

    /// Creates a report and derives its warnings.
    public init(base: String, head: String, now: Date, diagnostics: [Diagnostic], signatureViolations: [String],
                changes: [SpecChange], planAtMerge: Plan?, manyServices: Int = 5,
                shortGrace: RotorDuration = RotorDuration(seconds: 3_600)) {
        self.base = base
        self.head = head
        self.now = now
        self.diagnostics = diagnostics
        self.signatureViolations = signatureViolations
        self.changes = changes
        self.planAtMerge = planAtMerge
        var warnings: [String] = []
        for change in changes {
            if change.kind == .revoked, !change.consumers.isEmpty {
                warnings.append("key \(change.secret) is revoked at merge: \(change.consumers.joined(separator: ", ")) lose access immediately")
            }
            if change.kind == .removed, !change.consumersRemoved.isEmpty {
                warnings.append("\(change.secret) is removed while \(change.consumersRemoved.count) service\(change.consumersRemoved.count == 1 ? "" : "s") use\(change.consumersRemoved.count == 1 ? "s" : "") it (\(change.consumersRemoved.joined(separator: ", ")))")
            }
            if change.rotatesAtMerge, change.consumers.count >= manyServices {
                warnings.append("\(change.secret) rotates at merge and \(change.consumers.count) services must pick up the new value")
            }
            if let grace = change.gracePeriod, grace < shortGrace, [.added, .policyChanged, .valueChanged].contains(change.kind) {
                warnings.append("\(change.secret) has a grace period of \(grace): consumers get less than \(shortGrace) to switch")
            }
        }
        var seen = Set<String>()
        self.warnings = warnings.filter { seen.insert($0).inserted }
    }

    /// Every service that gains or loses read access to a secret's value, one sentence each, in
    /// the order of ``changes``: a new consumer may read the value with any key it holds.
    public var readAccessNotices: [String] { changes.flatMap(\.readAccessNotices) }

    /// Whether the PR changes anything rotor does.
    public var hasChanges: Bool { !changes.isEmpty || (planAtMerge?.hasChanges ?? false) }

    /// Whether the PR must not merge as it is (invalid specs or unsigned commits).
    public var isBlocked: Bool { diagnostics.contains { $0.severity == .error } || !signatureViolations.isEmpty }

    /// `2 added, 1 removed, …`.
    public func summary() -> String {
        let counts = SpecChange.Kind.allCases.compactMap { kind -> String? in
            let count = changes.filter { $0.kind == kind }.count
            return count == 0 ? nil : "\(count) \(kind.rawValue)"
        }
        return counts.isEmpty ? "no spec changes" : counts.joined(separator: ", ")
    }
}
