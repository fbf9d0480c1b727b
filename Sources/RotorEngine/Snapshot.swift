import Foundation
import RotorCore
import RotorGit
import RotorSpecs

/// Everything read from one revision of the secrets repository.
public struct Snapshot {
    /// The commit read, nil when reading the working tree.
    public let revision: ObjectID?
    /// The specs, when they validate.
    public let desired: DesiredState?
    /// Every problem found in specs and version files.
    public let diagnostics: [Diagnostic]
    /// The version files.
    public let versionFiles: [SecretID: VersionFile]
    /// The API-key version files.
    public let keyFiles: [SecretID: KeyVersionFile]
    /// Armored public keys shipped in `recipients/<FPR>.asc`, by file name stem.
    public let recipientKeys: [String: String]

    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The desired state, or a ``ValidationFailure`` listing every error.
    public func validDesired() throws -> DesiredState {
        guard let desired, !hasErrors else { throw ValidationFailure(diagnostics) }
        return desired
    }
}

extension Snapshot {
    static let recipientsPrefix = "recipients"

    /// Reads `revision` from git. With a `cache`, a spec or version file whose path and blob id
    /// were parsed before is neither read from git nor parsed again.
    static func load(repository: GitRepository, revision: ObjectID, cache: ParseCache? = nil) throws -> Snapshot {
        let entries = try repository.treeFiles(at: revision, under: SpecLoader.specPrefixes + [VersionFileParser.prefix, recipientsPrefix])
        var specs: [SourceFile] = []
        var versions: [SourceFile] = []
        var keys: [String: String] = [:]
        let parsed = entries.filter { !$0.path.hasPrefix(recipientsPrefix + "/") }
        // Blobs are read on every core (one repository handle per thread).
        let read = { (indexes: [Int]) in try repository.blobs(indexes.map { parsed[$0].blob }) }
        let files = try cache?.files(parsed.map { ($0.path, $0.blob.hex) }, read: read)
            ?? zip(parsed, try read(Array(parsed.indices))).map { SourceFile(path: $0.path, bytes: $1, blobID: $0.blob.hex) }
        for file in files {
            if file.path.hasPrefix(VersionFileParser.prefix + "/") { versions.append(file) } else { specs.append(file) }
        }
        for entry in entries where entry.path.hasPrefix(recipientsPrefix + "/") && entry.path.hasSuffix(".asc") {
            keys[String((entry.path as NSString).lastPathComponent.dropLast(4)).uppercased()] = String(decoding: try repository.blob(entry.blob), as: UTF8.self)
        }
        let snapshot = make(specs: specs, versions: versions, keys: keys, revision: revision, cache: cache)
        cache?.save()
        return snapshot
    }

    /// Reads the staged files (what the next commit records); used by `validate --staged` in pre-commit hooks.
    static func loadIndex(repository: GitRepository) throws -> Snapshot {
        var specs: [SourceFile] = []
        var versions: [SourceFile] = []
        for entry in try repository.indexFiles(under: SpecLoader.specPrefixes + [VersionFileParser.prefix]) {
            let file = SourceFile(path: entry.path, bytes: try repository.blob(entry.blob), blobID: entry.blob.hex)
            if entry.path.hasPrefix(VersionFileParser.prefix + "/") { versions.append(file) } else { specs.append(file) }
        }
        return make(specs: specs, versions: versions, keys: [:], revision: nil)
    }

    /// Reads the working tree as it is on disk (uncommitted edits included); used by `validate --worktree`.
    static func loadWorktree(root: String) throws -> Snapshot {
        var specs: [SourceFile] = []
        var versions: [SourceFile] = []
        let manager = FileManager.default
        for prefix in SpecLoader.specPrefixes + [VersionFileParser.prefix] {
            let full = (root as NSString).appendingPathComponent(prefix)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            let paths = isDirectory.boolValue
                ? (manager.enumerator(atPath: full)?.compactMap { $0 as? String }.map { "\(prefix)/\($0)" } ?? [])
                : [prefix]
            for path in paths.sorted() {
                let absolute = (root as NSString).appendingPathComponent(path)
                var isDir: ObjCBool = false
                guard manager.fileExists(atPath: absolute, isDirectory: &isDir), !isDir.boolValue else { continue }
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: absolute)))
                let file = SourceFile(path: path, bytes: bytes)
                if prefix == VersionFileParser.prefix { versions.append(file) } else { specs.append(file) }
            }
        }
        return make(specs: specs, versions: versions, keys: [:], revision: nil)
    }

    private static func make(specs: [SourceFile], versions: [SourceFile], keys: [String: String], revision: ObjectID?,
                             cache: ParseCache? = nil) -> Snapshot {
        let (desired, specDiagnostics) = SpecLoader.load(files: specs, revision: revision?.hex, cache: cache)
        let (versionFiles, versionDiagnostics) = VersionFileParser.parse(files: versions, cache: cache)
        let (keyFiles, keyDiagnostics) = KeyVersionFileParser.parse(files: versions)
        return Snapshot(revision: revision, desired: desired,
                        diagnostics: (specDiagnostics + versionDiagnostics + keyDiagnostics).sorted { $0.location < $1.location },
                        versionFiles: versionFiles, keyFiles: keyFiles, recipientKeys: keys)
    }
}
