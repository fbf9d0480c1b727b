import Foundation
import RotorCore

/// Reads the version files rotor writes under `versions/`.
///
/// They are machine-written, but they live in git where anyone can edit them, so they are
/// validated as strictly as human specs.
public enum VersionFileParser {
    /// The folder rotor owns.
    public static let prefix = "versions"

    /// Parses every version file (in parallel); returns the files by secret and every problem found.
    ///
    /// - Parameter cache: Keeps each file that parsed without a diagnostic, by path and blob id.
    public static func parse(files: [SourceFile], cache: ParseCache? = nil) -> ([SecretID: VersionFile], [Diagnostic]) {
        let mine = files.filter { !KeyVersionFileParser.handles($0.path) }.sorted { $0.path < $1.path }
        let parsed = ParallelMap.map(mine) { file -> (SecretID?, VersionFile?, [Diagnostic]) in
            if case .versionFile(let id, let versionFile)? = file.cached { return (id, versionFile, []) }
            let sink = DiagnosticSink()
            let (id, versionFile) = parseOne(file, sink: sink)
            return (id, versionFile, sink.diagnostics)
        }
        var result: [SecretID: VersionFile] = [:]
        result.reserveCapacity(mine.count)
        var diagnostics: [Diagnostic] = []
        for (file, (id, versionFile, problems)) in zip(mine, parsed) {
            if let id, let versionFile {
                result[id] = versionFile
                if problems.isEmpty { cache?.record(file, .versionFile(id, versionFile)) }
            }
            diagnostics += problems
        }
        return (result, diagnostics)
    }

    /// One file: the canonical fast path, else the YAML path with full diagnostics.
    private static func parseOne(_ file: SourceFile, sink: DiagnosticSink) -> (SecretID?, VersionFile?) {
        do {
            let parts = file.path.split(separator: "/").map(String.init)
            guard parts.count == 3, parts[2].hasSuffix(".yaml"),
                  let expected = SecretID(parsing: "\(parts[1])/\(parts[2].dropLast(5))") else {
                sink.error(SourceLocation(path: file.path), "unexpected file under versions/ (rotor writes only versions/<project>/<name>.yaml)")
                return (nil, nil)
            }
            guard let versionFile = CanonicalVersionFile.parse(file.bytes) ?? parse(file, sink: sink) else { return (nil, nil) }
            if versionFile.secret != expected {
                sink.error(SourceLocation(path: file.path), "version file names secret \(versionFile.secret) but lives at \(file.path)")
                return (nil, nil)
            }
            return (expected, versionFile)
        }
    }

    static func parse(_ file: SourceFile, sink: DiagnosticSink) -> VersionFile? {
        let root: Node
        switch YAMLDocument.parse(file) {
        case .failure(let diagnostic):
            sink.add(diagnostic)
            return nil
        case .success(let node):
            root = node
        }
        guard let top = MappingReader(root, what: "SecretVersions document", path: file.path,
                                      allowed: ["apiVersion", "kind", "metadata", "versions"], sink: sink) else { return nil }
        guard top.string("apiVersion", required: true) == SpecLoader.apiVersion,
              top.string("kind", required: true) == "SecretVersions" else {
            sink.error(top.start, "not a rotor version file (apiVersion \(SpecLoader.apiVersion), kind SecretVersions)")
            return nil
        }
        guard let metadata = top.mapping("metadata", what: "metadata", allowed: ["project", "name"]),
              let project = metadata.string("project", required: true), let name = metadata.string("name", required: true),
              let secret = SecretID(parsing: "\(project)/\(name)") else { return nil }
        var versions: [SecretVersion] = []
        for item in top.sequence("versions") ?? [] {
            if let version = parseVersion(item, path: file.path, sink: sink) {
                if versions.contains(where: { $0.version == version.version }) {
                    sink.error(YAMLDocument.location(of: item, in: file.path), "version \(version.version) appears twice")
                }
                versions.append(version)
            }
        }
        if versions.filter({ $0.state == .active }).count > 1 {
            sink.error(top.location(of: "versions"), "more than one active version")
        }
        return VersionFile(secret: secret, versions: versions)
    }

    static let versionFields = ["id", "version", "state", "createdAt", "createdBy", "rotatedFrom", "rotationReason", "rolledBackTo",
                                "graceExpiresAt", "source", "sourceDigest", "recipients", "value"]

    static func parseVersion(_ node: Node, path: String, sink: DiagnosticSink) -> SecretVersion? {
        guard let reader = MappingReader(node, what: "version", path: path, allowed: versionFields, sink: sink) else { return nil }
        func date(_ key: String, required: Bool) -> Date? {
            guard let text = reader.string(key, required: required) else { return nil }
            guard let date = RFC3339.parse(text) else {
                sink.error(reader.location(of: key), "\(key) must be an RFC 3339 timestamp")
                return nil
            }
            return date
        }
        let id = reader.string("id", required: true)
        let number = reader.int("version", in: 1...Int(Int32.max))
        if number == nil, !reader.has("version") { sink.error(reader.start, "version is missing required field \"version\"") }
        let state = reader.string("state", required: true).flatMap { text -> SecretVersion.State? in
            let state = SecretVersion.State(rawValue: text)
            if state == nil { sink.error(reader.location(of: "state"), "state must be active or grace") }
            return state
        }
        let source = reader.string("source", required: true).flatMap { text -> SecretVersion.Source? in
            let source = SecretVersion.Source(rawValue: text)
            if source == nil { sink.error(reader.location(of: "source"), "source must be generated or external") }
            return source
        }
        let createdAt = date("createdAt", required: true)
        let graceExpiresAt = date("graceExpiresAt", required: false)
        let value = reader.string("value", required: true)
        if let value, !OpenPGPArmor.isEncryptedMessage(value) {
            sink.error(reader.location(of: "value"), "value must be an ASCII-armored PGP message")
            return nil
        }
        var recipients: [String] = []
        for item in reader.sequence("recipients") ?? [] {
            guard case .scalar(let scalar) = item, let fingerprint = OpenPGPArmor.normalizeFingerprint(scalar.string) else {
                sink.error(reader.location(item), "recipient must be a PGP fingerprint")
                continue
            }
            recipients.append(fingerprint)
        }
        guard let id, let number, let state, let source, let createdAt, let value else { return nil }
        if state == .grace, graceExpiresAt == nil {
            sink.error(reader.start, "a grace version needs graceExpiresAt")
        }
        let rolledBackTo = reader.int("rolledBackTo", in: 1...Int(Int32.max))
        if let rolledBackTo, rolledBackTo >= number {
            sink.error(reader.location(of: "rolledBackTo"), "rolledBackTo must name an earlier version than \(number)")
        }
        return SecretVersion(id: id, version: number, state: state, createdAt: createdAt,
                             createdBy: reader.string("createdBy") ?? "rotor",
                             rotatedFrom: reader.int("rotatedFrom", in: 1...Int(Int32.max)),
                             rotationReason: reader.string("rotationReason") ?? "", graceExpiresAt: graceExpiresAt,
                             source: source, sourceDigest: reader.string("sourceDigest"), recipients: recipients,
                             valueEncrypted: VersionFile.canonicalArmor(value), rolledBackTo: rolledBackTo)
    }
}
