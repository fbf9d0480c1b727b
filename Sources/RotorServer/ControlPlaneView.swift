import Foundation
import RotorCore
import RotorEngine

/// What the control plane answers the hot paths from (authentication, authorisation, value
/// reads): the desired state and the version files at one HEAD, indexed by key hash.
///
/// Built from git alone, so it is exactly what the repository says at `revision`; rebuilt when
/// HEAD moves (see ``HeadWatcher``). Holds ciphertexts only, never a value.
struct ControlPlaneView: Sendable {
    /// One API key version, as git records it, found by its hash.
    struct KeyEntry: Sendable {
        let key: SecretID
        let version: KeyVersion
    }

    /// The HEAD commit this view was built from.
    let revision: String
    let desired: DesiredState
    let versionFiles: [SecretID: VersionFile]
    let keyFiles: [SecretID: KeyVersionFile]
    /// Every key version git knows (live or ended), by `sha256:<hex>` of the key.
    let keysByHash: [String: KeyEntry]

    /// Loads HEAD through `engine`.
    init(engine: Engine) throws {
        let snapshot = try engine.snapshot()
        desired = try snapshot.validDesired()
        revision = snapshot.revision?.hex ?? ""
        versionFiles = snapshot.versionFiles
        keyFiles = snapshot.keyFiles
        var byHash: [String: KeyEntry] = [:]
        for (id, file) in snapshot.keyFiles {
            for version in file.versions { byHash[version.hash] = KeyEntry(key: id, version: version) }
        }
        keysByHash = byHash
    }

    /// The services that hold `key` (its spec's consumers).
    func services(of key: SecretID) -> [String] {
        desired.keys[key]?.consumers.map(\.service) ?? []
    }
}
