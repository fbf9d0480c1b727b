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
    ///
    /// A symlink is refused, never followed; a file over ``SpecLoader/maxFileBytes`` is refused
    /// by the size in its object header, never read.
    static func load(repository: GitRepository, revision: ObjectID, cache: ParseCache? = nil) throws -> Snapshot {
        let all = try repository.treeFiles(at: revision, under: SpecLoader.specPrefixes + [VersionFileParser.prefix, recipientsPrefix])
        var refused = all.filter(\.isSymlink).map { SpecLoader.symlink($0.path) }
        let entries = all.filter { !$0.isSymlink }
        var specs: [SourceFile] = []
        var versions: [SourceFile] = []
        var keys: [String: String] = [:]
        let parsed = entries.filter { !$0.path.hasPrefix(recipientsPrefix + "/") }
        // Blobs are read on every core (one repository handle per thread).
        var oversize = Set<String>()
        let read = { (indexes: [Int]) in
            let bounded = try repository.blobs(indexes.map { parsed[$0].blob }, limit: SpecLoader.maxFileBytes)
            for (position, size) in bounded.oversize {
                let path = parsed[indexes[position]].path
                oversize.insert(path)
                refused.append(SpecLoader.oversize(path, bytes: size))
            }
            return bounded.bytes
        }
        let files = try cache?.files(parsed.map { ($0.path, $0.blob.hex) }, read: read)
            ?? zip(parsed, try read(Array(parsed.indices))).map { SourceFile(path: $0.path, bytes: $1, blobID: $0.blob.hex) }
        for file in files where !oversize.contains(file.path) {
            if file.path.hasPrefix(VersionFileParser.prefix + "/") { versions.append(file) } else { specs.append(file) }
        }
        for entry in entries where entry.path.hasPrefix(recipientsPrefix + "/") && entry.path.hasSuffix(".asc") {
            guard case .bytes(let bytes) = try repository.blob(entry.blob, limit: SpecLoader.maxFileBytes) else {
                refused.append(SpecLoader.oversize(entry.path, bytes: try repository.blobSize(entry.blob)))
                continue
            }
            keys[String((entry.path as NSString).lastPathComponent.dropLast(4)).uppercased()] = String(decoding: bytes, as: UTF8.self)
        }
        let snapshot = make(specs: specs, versions: versions, keys: keys, revision: revision, cache: cache, refused: refused)
        cache?.save()
        return snapshot
    }

    /// Reads the staged files (what the next commit records); used by `validate --staged` in pre-commit hooks.
    static func loadIndex(repository: GitRepository) throws -> Snapshot {
        var specs: [SourceFile] = []
        var versions: [SourceFile] = []
        var refused: [Diagnostic] = []
        for entry in try repository.indexFiles(under: SpecLoader.specPrefixes + [VersionFileParser.prefix]) {
            if entry.isSymlink {
                refused.append(SpecLoader.symlink(entry.path))
                continue
            }
            switch try repository.blob(entry.blob, limit: SpecLoader.maxFileBytes) {
            case .oversize(let size):
                refused.append(SpecLoader.oversize(entry.path, bytes: size))
            case .bytes(let bytes):
                let file = SourceFile(path: entry.path, bytes: bytes, blobID: entry.blob.hex)
                if entry.path.hasPrefix(VersionFileParser.prefix + "/") { versions.append(file) } else { specs.append(file) }
            }
        }
        return make(specs: specs, versions: versions, keys: [:], revision: nil, refused: refused)
    }

    /// Reads the working tree as it is on disk (uncommitted edits included); used by `validate --worktree`.
    ///
    /// Nothing outside the repository is read: a symlink (to a file or a folder, inside or
    /// outside) is refused and never followed, and a file over ``SpecLoader/maxFileBytes`` is
    /// refused by its size (`lstat`) before it is opened.
    static func loadWorktree(root: String) throws -> Snapshot {
        var specs: [SourceFile] = []
        var versions: [SourceFile] = []
        var refused: [Diagnostic] = []
        for prefix in SpecLoader.specPrefixes + [VersionFileParser.prefix] {
            try walkWorktree(root: root, path: prefix) { path, info in
                if info.st_mode & S_IFMT == S_IFLNK {
                    refused.append(SpecLoader.symlink(path))
                } else if Int(info.st_size) > SpecLoader.maxFileBytes {
                    refused.append(SpecLoader.oversize(path, bytes: Int(info.st_size)))
                } else {
                    let file = SourceFile(path: path, bytes: try readFile((root as NSString).appendingPathComponent(path), limit: SpecLoader.maxFileBytes))
                    if prefix == VersionFileParser.prefix { versions.append(file) } else { specs.append(file) }
                }
            }
        }
        return make(specs: specs, versions: versions, keys: [:], revision: nil, refused: refused)
    }

    /// Calls `visit` for every non-directory below `path` (or `path` itself), in path order, with
    /// its `lstat`: symlinks are reported, never followed. A missing `path` visits nothing.
    private static func walkWorktree(root: String, path: String, _ visit: (String, stat) throws -> Void) throws {
        var info = stat()
        guard lstat((root as NSString).appendingPathComponent(path), &info) == 0 else {
            if errno == ENOENT { return }
            throw EngineError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return try visit(path, info) }
        let names = try FileManager.default.contentsOfDirectory(atPath: (root as NSString).appendingPathComponent(path))
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            try walkWorktree(root: root, path: path + "/" + name, visit)
        }
    }

    /// Reads at most `limit + 1` bytes of the file at `absolute` without following a symlink
    /// (`O_NOFOLLOW`): a file that grew past the limit since its `lstat` is still read bounded,
    /// and the parser then refuses it by its size.
    private static func readFile(_ absolute: String, limit: Int) throws -> [UInt8] {
        let descriptor = open(absolute, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw EngineError("cannot read \(absolute): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw EngineError("cannot read \(absolute): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    private static func make(specs: [SourceFile], versions: [SourceFile], keys: [String: String], revision: ObjectID?,
                             cache: ParseCache? = nil, refused: [Diagnostic] = []) -> Snapshot {
        let (desired, specDiagnostics) = SpecLoader.load(files: specs, revision: revision?.hex, cache: cache)
        let (versionFiles, versionDiagnostics) = VersionFileParser.parse(files: versions, cache: cache)
        let (keyFiles, keyDiagnostics) = KeyVersionFileParser.parse(files: versions)
        return Snapshot(revision: revision, desired: desired,
                        diagnostics: (refused + specDiagnostics + versionDiagnostics + keyDiagnostics).sorted { $0.location < $1.location },
                        versionFiles: versionFiles, keyFiles: keyFiles, recipientKeys: keys)
    }
}
