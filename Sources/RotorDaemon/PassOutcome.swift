/// How one daemon pass ended. The raw value is the `outcome` label of `rotor_passes_total`.
public enum PassOutcome: String, CaseIterable, Sendable {
    /// The plan had actions: committed and pushed when they change git, recorded in the store (warnings only need the store).
    case applied
    /// Nothing was due (or only warnings, which need no commit).
    case unchanged
    /// The remote could not be cloned or fetched.
    case fetchFailed = "fetch_failed"
    /// The specs on the branch do not validate; nothing was applied.
    case specInvalid = "spec_invalid"
    /// The remote kept moving: every push attempt of the pass was refused.
    case pushRejected = "push_rejected"
    /// Another rotor holds the state store's lock.
    case locked
    /// Anything else (gpg, the store, a git error that is not the remote's).
    case failed
    /// Shutdown was requested before the pass applied anything.
    case interrupted

    /// Whether the pass did its job.
    public var succeeded: Bool { self == .applied || self == .unchanged }
}
