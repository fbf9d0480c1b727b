import Foundation

/// One thing that will happen to a secret, if rotor runs on schedule and nobody changes the specs.
public struct ForecastEntry: Codable, Hashable, Sendable {
    /// What happens.
    public enum Kind: String, Codable, Sendable {
        /// The first version is created (the secret has none yet).
        case create
        /// A new version replaces the active one.
        case rotate
        /// Consumers are warned that an old version's grace period is ending.
        case warn
        /// An old version's grace period ends and it is removed.
        case expire
        /// An externally issued value is older than `rotateEvery`: a person must replace it.
        case replace
    }

    /// A secret or an API key.
    public var resource: PlanAction.Resource = .secret
    /// When.
    public var at: Date
    /// What.
    public var kind: Kind
    /// Which secret.
    public var secret: SecretID
    /// The version created (create, rotate) or concerned (warn, expire, replace).
    public var version: Int
    /// The services that will notice.
    public var consumers: [String]
}

/// The calendar of rotations, warnings and expiries ahead, from git alone.
public enum Forecast {
    /// Every entry in `[now, now + days]`, in time order.
    ///
    /// Rotations are assumed to happen when due (the daemon's job); an overdue rotation is
    /// placed at `now`. Warnings already past but before their expiry are placed at `now`.
    public static func entries(desired: DesiredState, versions: [SecretID: VersionFile], keyFiles: [SecretID: KeyVersionFile] = [:],
                               now: Date, days: Int) -> [ForecastEntry] {
        let end = now.addingTimeInterval(Double(days) * 86_400)
        var entries: [ForecastEntry] = []
        for id in desired.secrets.keys.sorted() {
            guard let spec = desired.secrets[id] else { continue }
            let consumers = spec.consumers.map(\.service)
            let grace = desired.gracePeriod(for: spec).timeInterval
            let warn = desired.warnBefore(for: spec).timeInterval
            func add(_ kind: ForecastEntry.Kind, _ at: Date, _ version: Int) {
                if at <= end { entries.append(ForecastEntry(at: max(at, now), kind: kind, secret: id, version: version, consumers: consumers)) }
            }
            func graceEnds(_ version: Int, at expiry: Date) {
                if expiry > now { add(.warn, expiry.addingTimeInterval(-warn), version) }
                add(.expire, expiry, version)
            }
            let file = versions[id]
            for version in file?.versions ?? [] where version.state == .grace {
                if let expiry = version.graceExpiresAt { graceEnds(version.version, at: expiry) }
            }
            var number = file?.active?.version ?? 0
            var createdAt = file?.active?.createdAt ?? now
            if file?.active == nil {
                number = (file?.maxVersion ?? 0) + 1
                add(.create, now, number)
            }
            guard let every = desired.policies[spec.policy]?.rotateEvery?.timeInterval, every > 0 else { continue }
            var due = createdAt.addingTimeInterval(every)
            if spec.isExternal {
                add(.replace, due, number)
                continue
            }
            while due <= end {
                let at = max(due, now)
                add(.rotate, at, number + 1)
                graceEnds(number, at: at.addingTimeInterval(grace))
                number += 1
                createdAt = at
                due = createdAt.addingTimeInterval(every)
            }
        }
        entries += keyEntries(desired: desired, keyFiles: keyFiles, now: now, end: end)
        return entries.sorted { ($0.at, $0.secret, $0.version) < ($1.at, $1.secret, $1.version) }
    }

    /// API keys: scheduled rotations, and the end of each overlap.
    private static func keyEntries(desired: DesiredState, keyFiles: [SecretID: KeyVersionFile], now: Date, end: Date) -> [ForecastEntry] {
        var entries: [ForecastEntry] = []
        for id in desired.keys.keys.sorted() {
            guard let spec = desired.keys[id], !spec.revoked else { continue }
            let consumers = spec.consumers.map(\.service)
            func add(_ kind: ForecastEntry.Kind, _ at: Date, _ version: Int) {
                guard at <= end, spec.expiresAt.map({ at < $0 }) ?? true else { return }
                var entry = ForecastEntry(at: max(at, now), kind: kind, secret: id, version: version, consumers: consumers)
                entry.resource = .key
                entries.append(entry)
            }
            let file = keyFiles[id]
            for version in file?.versions ?? [] where version.state == .overlap {
                if let expiry = KeyPlanner.expiry(of: version, spec: spec, desired: desired) { add(.expire, expiry, version.version) }
            }
            guard let active = file?.active, let policy = desired.keyPolicies[spec.policy], let every = policy.rotateEvery?.timeInterval else { continue }
            var number = active.version
            var due = active.createdAt.addingTimeInterval(every)
            while due <= end {
                let at = max(due, now)
                add(.rotate, at, number + 1)
                add(.expire, at.addingTimeInterval(policy.overlap.timeInterval), number)
                number += 1
                due = at.addingTimeInterval(every)
            }
        }
        return entries
    }
}
