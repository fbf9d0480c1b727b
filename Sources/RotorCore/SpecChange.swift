import Foundation

/// One difference a pull request makes to the specs, as a reviewer needs to see it.
public struct SpecChange: Codable, Hashable, Sendable {
    /// What changed.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A new secret: created at merge.
        case added
        /// A removed secret: every version is deleted at merge.
        case removed
        /// The secret's policy (or the policy's settings) changed: new due dates.
        case policyChanged = "policy-changed"
        /// The generator changed: applies from the next rotation.
        case generatorChanged = "generator-changed"
        /// Consumers were added or removed: the blast radius changed.
        case consumersChanged = "consumers-changed"
        /// The externally issued value changed: a rotation at merge.
        case valueChanged = "value-changed"
        /// An API key is revoked: every valid version stops working at merge.
        case revoked
        /// An API key's type or scopes changed: applies to the next key version.
        case scopesChanged = "scopes-changed"
    }

    /// What changed.
    public var kind: Kind
    /// A secret or an API key.
    public var resource: PlanAction.Resource = .secret
    /// The secret.
    public var secret: SecretID
    /// A sentence for people (never a value).
    public var summary: String
    /// Consumers of the secret after the change (before it, for a removal).
    public var consumers: [String]
    /// Consumers the change adds.
    public var consumersAdded: [String] = []
    /// Consumers the change removes.
    public var consumersRemoved: [String] = []
    /// When the active version was due before the change.
    public var nextDueBefore: Date?
    /// When it is due after the change.
    public var nextDueAfter: Date?
    /// Whether merging makes a rotation due at once.
    public var rotatesAtMerge = false
    /// The grace period after the change, for warnings about short ones.
    public var gracePeriod: RotorDuration?
    /// Services that gain or lose the right to read the secret's value (secrets only: the
    /// consumer list is the access list for value reads; a key's consumers hold the key).
    public var readAccess: [ReadAccess] = []

    /// One service gaining or losing read access to a secret's value.
    public struct ReadAccess: Codable, Hashable, Sendable {
        /// Gained or lost.
        public enum Change: String, Codable, Sendable {
            /// The service becomes a consumer: a key it holds may read the value.
            case gains
            /// The service stops being a consumer: its keys may no longer read the value.
            case loses
        }

        /// The service.
        public var service: String
        /// Whether it gains or loses access.
        public var change: Change

        /// Creates a notice.
        public init(service: String, change: Change) {
            self.service = service
            self.change = change
        }
    }

    /// One sentence per read-access notice: `payments/db-password: service billing gains read access to its value`.
    public var readAccessNotices: [String] {
        readAccess.map { "\(secret): service \($0.service) \($0.change.rawValue) read access to its value" }
    }
}

/// Compares the specs of two revisions: what a pull request changes.
public enum SpecDiff {
    /// The changes from `base` to `head`, ordered by project, name and kind.
    ///
    /// - Parameters:
    ///   - base: The specs at the base of the pull request (nil when it had none).
    ///   - head: The specs at its head.
    ///   - versions: The version files after merge (a PR does not touch them, so head's).
    ///   - now: The instant used for "due at merge".
    public static func changes(base: DesiredState?, head: DesiredState, versions: [SecretID: VersionFile], now: Date) -> [SpecChange] {
        var changes: [SpecChange] = []
        let baseSecrets = base?.secrets ?? [:]
        for id in Set(baseSecrets.keys).union(head.secrets.keys).sorted() {
            let before = baseSecrets[id]
            let after = head.secrets[id]
            switch (before, after) {
            case (nil, let spec?):
                let what = spec.isExternal ? "externally issued value" : head.generator(for: spec).description
                changes.append(SpecChange(kind: .added, secret: id, summary: "new secret (\(what)), policy \(spec.policy); v1 is created at merge",
                                          consumers: spec.consumers.map(\.service), consumersAdded: spec.consumers.map(\.service),
                                          gracePeriod: head.gracePeriod(for: spec),
                                          readAccess: readAccess(gained: spec.consumers.map(\.service), lost: [])))
            case (let spec?, nil):
                let live = versions[id]?.versions.count ?? 0
                let consumers = spec.consumers.map(\.service)
                let impact = consumers.isEmpty ? "no consumers are declared" : "\(consumers.joined(separator: ", ")) lose\(consumers.count == 1 ? "s" : "") access at once"
                changes.append(SpecChange(kind: .removed, secret: id,
                                          summary: "secret removed: its \(live) live version\(live == 1 ? "" : "s") \(live == 1 ? "is" : "are") deleted at merge with no grace period; \(impact)",
                                          consumers: consumers, consumersRemoved: consumers,
                                          readAccess: readAccess(gained: [], lost: consumers)))
            case (let old?, let new?):
                changes += modifications(old: old, new: new, base: base ?? head, head: head, file: versions[id], now: now)
            case (nil, nil):
                continue
            }
        }
        changes += keyChanges(base: base, head: head, now: now)
        return changes.sorted { ($0.secret, $0.resource.rawValue) < ($1.secret, $1.resource.rawValue) }
    }

    /// The services in both lists whose webhook differs, in `new`'s order.
    private static func rewiredServices(old: [Consumer], new: [Consumer]) -> [String] {
        let oldHooks = Dictionary(old.map { ($0.service, $0.webhook) }, uniquingKeysWith: { first, _ in first })
        return new.filter { consumer in oldHooks[consumer.service].map { $0 != consumer.webhook } ?? false }.map(\.service)
    }

    /// The read-access notices of a secret's change: gains first, each group sorted by service.
    private static func readAccess(gained: [String], lost: [String]) -> [SpecChange.ReadAccess] {
        gained.sorted().map { SpecChange.ReadAccess(service: $0, change: .gains) } + lost.sorted().map { SpecChange.ReadAccess(service: $0, change: .loses) }
    }

    /// The API-key half of the diff.
    private static func keyChanges(base: DesiredState?, head: DesiredState, now: Date) -> [SpecChange] {
        var changes: [SpecChange] = []
        let baseKeys = base?.keys ?? [:]
        func change(_ kind: SpecChange.Kind, _ id: SecretID, _ summary: String, _ consumers: [String], added: [String] = [],
                    removed: [String] = []) -> SpecChange {
            var change = SpecChange(kind: kind, secret: id, summary: summary, consumers: consumers, consumersAdded: added, consumersRemoved: removed)
            change.resource = .key
            return change
        }
        for id in Set(baseKeys.keys).union(head.keys.keys).sorted() {
            let consumers = (head.keys[id] ?? baseKeys[id])?.consumers.map(\.service) ?? []
            switch (baseKeys[id], head.keys[id]) {
            case (nil, let key?):
                changes.append(change(.added, id, "new \(key.type.rawValue) key with scopes \(key.scopes.joined(separator: " ")); v1 is issued at merge", consumers, added: consumers))
            case (let key?, nil):
                changes.append(change(.removed, id, "key spec removed: every valid version is revoked at merge; \(consumers.isEmpty ? "no consumers are declared" : "\(consumers.joined(separator: ", ")) lose access at once")", key.consumers.map(\.service), removed: consumers))
            case (let old?, let new?):
                if new.revoked, !old.revoked {
                    changes.append(change(.revoked, id, "revoked\(new.revokeReason.map { ": \($0)" } ?? ""): every valid version stops working at merge, no overlap", consumers, removed: consumers))
                }
                if old.type != new.type || old.scopes != new.scopes {
                    changes.append(change(.scopesChanged, id, "type \(old.type.rawValue) → \(new.type.rawValue), scopes [\(old.scopes.joined(separator: " "))] → [\(new.scopes.joined(separator: " "))]; the next key version carries them", consumers))
                }
                if old.policy != new.policy || base?.keyPolicies[old.policy] != head.keyPolicies[new.policy] {
                    changes.append(change(.policyChanged, id, "key policy \(old.policy) → \(new.policy)", consumers))
                }
                let before = Set(old.consumers.map(\.service)), after = Set(consumers)
                let rewired = rewiredServices(old: old.consumers, new: new.consumers)
                if before != after || !rewired.isEmpty {
                    let webhooks = rewired.isEmpty ? "" : ", webhook changed for \(rewired.joined(separator: ", "))"
                    changes.append(change(.consumersChanged, id, "consumers \(before.count) → \(after.count) services\(webhooks)", consumers,
                                          added: after.subtracting(before).sorted(), removed: before.subtracting(after).sorted()))
                }
            case (nil, nil):
                continue
            }
        }
        return changes
    }

    private static func modifications(old: SecretSpec, new: SecretSpec, base: DesiredState, head: DesiredState,
                                      file: VersionFile?, now: Date) -> [SpecChange] {
        var changes: [SpecChange] = []
        let id = new.id
        let consumers = new.consumers.map(\.service)
        let oldPolicy = base.policies[old.policy]
        let newPolicy = head.policies[new.policy]
        if old.policy != new.policy || oldPolicy?.rotateEvery != newPolicy?.rotateEvery
            || base.gracePeriod(for: old) != head.gracePeriod(for: new) || base.warnBefore(for: old) != head.warnBefore(for: new) {
            let dueBefore = Planner.nextDue(spec: old, file: file, desired: base)
            let dueAfter = Planner.nextDue(spec: new, file: file, desired: head)
            let atMerge = !new.isExternal && (dueAfter.map { $0 <= now } ?? false) && !(dueBefore.map { $0 <= now } ?? false)
            var parts: [String] = []
            if old.policy != new.policy { parts.append("policy \(old.policy) → \(new.policy)") }
            let every = { (policy: Policy?) in policy?.rotateEvery?.description ?? "never" }
            if oldPolicy?.rotateEvery != newPolicy?.rotateEvery { parts.append("rotateEvery \(every(oldPolicy)) → \(every(newPolicy))") }
            if base.gracePeriod(for: old) != head.gracePeriod(for: new) { parts.append("gracePeriod \(base.gracePeriod(for: old)) → \(head.gracePeriod(for: new))") }
            if base.warnBefore(for: old) != head.warnBefore(for: new) { parts.append("warnBefore \(base.warnBefore(for: old)) → \(head.warnBefore(for: new))") }
            let due = dueAfter.map { atMerge ? "rotates at merge (was due \(dueBefore.map(RFC3339.format) ?? "never"))" : "next due \(RFC3339.format($0))" } ?? "no scheduled rotation"
            changes.append(SpecChange(kind: .policyChanged, secret: id, summary: parts.joined(separator: ", ") + "; " + due,
                                      consumers: consumers, nextDueBefore: dueBefore, nextDueAfter: dueAfter, rotatesAtMerge: atMerge,
                                      gracePeriod: head.gracePeriod(for: new)))
        }
        if !new.isExternal, !old.isExternal, base.generator(for: old) != head.generator(for: new) {
            changes.append(SpecChange(kind: .generatorChanged, secret: id,
                                      summary: "generator \(base.generator(for: old)) → \(head.generator(for: new)); applies from the next rotation",
                                      consumers: consumers))
        }
        let oldConsumers = Set(old.consumers.map(\.service))
        let newConsumers = Set(consumers)
        let rewired = rewiredServices(old: old.consumers, new: new.consumers)
        if oldConsumers != newConsumers || !rewired.isEmpty {
            let added = newConsumers.subtracting(oldConsumers).sorted()
            let removed = oldConsumers.subtracting(newConsumers).sorted()
            var parts: [String] = []
            if !added.isEmpty { parts.append("+\(added.joined(separator: ", +"))") }
            if !removed.isEmpty { parts.append("-\(removed.joined(separator: ", -"))") }
            if !rewired.isEmpty { parts.append("webhook changed for \(rewired.joined(separator: ", "))") }
            changes.append(SpecChange(kind: .consumersChanged, secret: id,
                                      summary: "consumers \(parts.joined(separator: " ")): \(oldConsumers.count) → \(newConsumers.count) services",
                                      consumers: consumers, consumersAdded: added, consumersRemoved: removed,
                                      readAccess: readAccess(gained: added, lost: removed)))
        }
        if old.externalValueDigest != new.externalValueDigest {
            let summary: String
            switch (old.isExternal, new.isExternal) {
            case (true, true): summary = "externally issued value replaced: rotates at merge"
            case (false, true): summary = "switches to an externally issued value: rotates at merge"
            default: summary = "value: removed: rotor generates the value from now on; rotates at merge"
            }
            changes.append(SpecChange(kind: .valueChanged, secret: id, summary: summary, consumers: consumers, rotatesAtMerge: true,
                                      gracePeriod: head.gracePeriod(for: new)))
        }
        return changes
    }
}
