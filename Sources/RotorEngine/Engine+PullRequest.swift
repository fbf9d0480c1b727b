import Foundation
import RotorCore
import RotorGit

extension Engine {
    /// What merging `head` into `base` would do, from git alone: no store, no private key.
    ///
    /// The head's validation errors and the PR commits that break the signature policy are part
    /// of the report rather than thrown, so CI can show them in the pull request.
    /// - Parameters:
    ///   - base: The base revision (a branch, tag or commit).
    ///   - head: The head revision; nil means HEAD.
    ///   - now: The instant to plan for (merge time).
    public func planPullRequest(base: String, head: String?, now: Date) throws -> PullRequestPlan {
        let baseID = try repository.resolve(base)
        let headID = try head.map { try repository.resolve($0) } ?? self.head()
        let mergeBase = try repository.mergeBase(baseID, headID) ?? baseID
        let baseSnapshot = try Snapshot.load(repository: repository, revision: mergeBase, cache: parseCache)
        let headSnapshot = try Snapshot.load(repository: repository, revision: headID, cache: parseCache)
        let violations = try SignaturePolicy(repository: repository, gpgHome: gpgHome)
            .violations(head: headID, since: mergeBase).map(\.description)
        guard let desired = headSnapshot.desired, !headSnapshot.hasErrors else {
            return PullRequestPlan(base: mergeBase.hex, head: headID.hex, now: now, diagnostics: headSnapshot.diagnostics,
                                   signatureViolations: violations, changes: [], planAtMerge: nil)
        }
        let changes = SpecDiff.changes(base: baseSnapshot.desired, head: desired, versions: headSnapshot.versionFiles, now: now)
        let plan = try annotate(Planner.plan(desired: desired, observed: ObservedState(versionFiles: headSnapshot.versionFiles, keyFiles: headSnapshot.keyFiles), now: now),
                                desired: desired)
        return PullRequestPlan(base: mergeBase.hex, head: headID.hex, now: now, diagnostics: headSnapshot.diagnostics,
                               signatureViolations: violations, changes: changes, planAtMerge: plan)
    }

    /// Every rotation, warning and expiry in the next `days` days, from git alone.
    public func forecast(now: Date, days: Int) throws -> [ForecastEntry] {
        let snapshot = try snapshot()
        return Forecast.entries(desired: try snapshot.validDesired(), versions: snapshot.versionFiles, keyFiles: snapshot.keyFiles,
                                now: now, days: days)
    }
}
