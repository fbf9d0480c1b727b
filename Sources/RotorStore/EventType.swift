/// Every event rotor emits, one documented enum. Each is written to the `events` outbox and
/// delivered as a signed webhook to every consumer of the secret (API keys add `key.*`).
public enum EventType: String, Codable, Sendable, CaseIterable {
    /// Version 1 of a secret exists.
    case secretCreated = "secret.created"
    /// A new version is active; the old one is in its grace period. A rollback (`rotor rollback`)
    /// is announced with this event too, so consumers fetch the value as after any rotation; its
    /// data names the version whose value came back (`rolled_back_to`).
    case secretRotated = "secret.rotated"
    /// A grace period ends within `warnBefore`.
    case secretExpiring = "secret.expiring"
    /// An old version's grace period ended and it was removed.
    case secretExpired = "secret.expired"
    /// The secret's spec was removed and every version with it.
    case secretDeleted = "secret.deleted"
    /// Version 1 of an API key was issued.
    case keyCreated = "key.created"
    /// A new key version is active; the old one works until its overlap ends.
    case keyRotated = "key.rotated"
    /// A key version was revoked: invalid at once.
    case keyRevoked = "key.revoked"
    /// A key version passed its expiry: invalid.
    case keyExpired = "key.expired"
}
