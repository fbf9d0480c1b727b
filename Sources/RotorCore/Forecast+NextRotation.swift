import Foundation

extension Forecast {
    /// The earliest instant a scheduled rotation (or a first version) is due, or nil when none ever is.
    ///
    /// Externally issued values are left out (rotor cannot mint them) and so are revoked keys or
    /// keys past their `expiresAt`. An overdue rotation reports its due time, which may be before
    /// `now`: that is what the daemon's "next rotation due" gauge shows.
    public static func nextRotation(desired: DesiredState, versions: [SecretID: VersionFile],
                                    keyFiles: [SecretID: KeyVersionFile], now: Date) -> Date? {
        var earliest: Date?
        func consider(_ date: Date) { earliest = min(earliest ?? date, date) }
        for (id, spec) in desired.secrets where !spec.isExternal {
            guard let file = versions[id], file.active != nil else { consider(now); continue }
            if let due = Planner.nextDue(spec: spec, file: file, desired: desired) { consider(due) }
        }
        for (id, spec) in desired.keys where !spec.revoked {
            if let end = spec.expiresAt, end <= now { continue }
            guard let active = keyFiles[id]?.active else { consider(now); continue }
            if let every = desired.keyPolicies[spec.policy]?.rotateEvery {
                consider(active.createdAt.addingTimeInterval(every.timeInterval))
            }
        }
        return earliest
    }
}
