import Foundation
@testable import RotorCore

/// Small builders for planner tests.
enum Fixtures {
    static let fpr = "0123456789ABCDEF0123456789ABCDEF01234567"
    static let armored = "-----BEGIN PGP MESSAGE-----\n\nhF4DAAAAAAAAAAA=\n-----END PGP MESSAGE-----\n"
    static let t0 = RFC3339.parse("2027-01-01T00:00:00Z")!
    static let db = SecretID(project: "payments", name: "db-password")

    static func at(_ hours: Double) -> Date { t0.addingTimeInterval(hours * 3_600) }

    static func desired(_ specs: [SecretSpec], rotateEvery: String? = "30d", grace: String = "24h", warn: String = "1h") -> DesiredState {
        let policy = Policy(name: "db", location: SourceLocation(path: "policies/db.yaml"),
                            rotateEvery: rotateEvery.flatMap(RotorDuration.init(parsing:)),
                            gracePeriod: RotorDuration(parsing: grace), warnBefore: RotorDuration(parsing: warn))
        return DesiredState(config: RepoConfig(recipients: [fpr]), policies: ["db": policy],
                            secrets: Dictionary(uniqueKeysWithValues: specs.map { ($0.id, $0) }), revision: "abc")
    }

    static func spec(_ id: SecretID = db, external digest: String? = nil, consumers: [String] = []) -> SecretSpec {
        SecretSpec(id: id, location: SourceLocation(path: "secrets/\(id.project)/\(id.name).yaml"), policy: "db",
                   externalValue: digest == nil ? nil : armored, externalValueDigest: digest,
                   consumers: consumers.map { Consumer(service: $0) })
    }

    static func version(_ number: Int, _ state: SecretVersion.State, createdAt: Date, grace: Date? = nil,
                        source: SecretVersion.Source = .generated, digest: String? = nil) -> SecretVersion {
        SecretVersion(id: "id-\(number)", version: number, state: state, createdAt: createdAt, createdBy: "rotor",
                      rotatedFrom: number > 1 ? number - 1 : nil, rotationReason: "test", graceExpiresAt: grace,
                      source: source, sourceDigest: digest, recipients: [fpr], valueEncrypted: armored)
    }

    static func observed(_ versions: [SecretVersion], secret: SecretID = db, warned: Set<String> = []) -> ObservedState {
        ObservedState(versionFiles: [secret: VersionFile(secret: secret, versions: versions)], warnedVersionIDs: warned)
    }
}
