import Foundation
import RotorCore
import RotorGit

/// What one daemon pass did: its outcome, the revision it ended at, and what it changed.
///
/// Never holds a value: only ids, numbers, paths and messages.
public struct PassReport: Sendable {
    /// 1 for the first pass of this process.
    public var number: Int
    /// The instant the pass planned for.
    public var now: Date
    /// How it ended.
    public var outcome: PassOutcome = .failed
    /// What went wrong, for logs and health (nil when it succeeded).
    public var problem: String?
    /// The revision of the branch at the end of the pass (pushed when the pass succeeded).
    public var revision: String?
    /// The commit the pass made and pushed, if any.
    public var commit: String?
    /// The plan that was applied (nil when the pass never got that far).
    public var plan: Plan?
    /// Validation errors, as `path:line:column: error: …` (spec invalid).
    public var diagnostics: [String] = []
    /// Push attempts refused because the remote moved.
    public var pushRejections = 0
    /// Ids of new versions that reused a pending version.
    public var reusedVersionIDs: [String] = []
    /// When the next scheduled rotation is due (nil when unknown or never).
    public var nextRotationDue: Date?
    /// Pending versions left in the store after the pass.
    public var pendingVersions = 0
    /// What the delivery step reported.
    public var delivery: DeliverySummary?
    /// The delivery step's error, if it threw.
    public var deliveryProblem: String?
    /// What repacking rotor's clone did, when this pass repacked it.
    public var repack: RepackReport?
    /// Wall-clock seconds the pass took.
    public var duration: Double = 0

    /// Creates an empty report for pass `number` at `now`.
    public init(number: Int, now: Date) {
        self.number = number
        self.now = now
    }
}
