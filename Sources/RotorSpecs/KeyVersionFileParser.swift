import Foundation
import RotorCore

/// Reads the API-key version files rotor writes under `versions/keys/<project>/<name>.yaml`.
public enum KeyVersionFileParser {
    /// Whether `path` is an API-key version file path (four parts under `versions/keys/`).
    public static func handles(_ path: String) -> Bool {
        path.hasPrefix("versions/keys/") && path.split(separator: "/", omittingEmptySubsequences: false).count == 4
    }

    /// Parses every API-key version file among `files`; other files are ignored.
    public static func parse(files: [SourceFile]) -> ([SecretID: KeyVersionFile], [Diagnostic]) {
        let sink = DiagnosticSink()
        var result: [SecretID: KeyVersionFile] = [:]
        for file in files.sorted(by: { $0.path < $1.path }) where handles(file.path) {
            let parts = file.path.split(separator: "/").map(String.init)
            guard parts[3].hasSuffix(".yaml"), let expected = SecretID(parsing: "\(parts[2])/\(parts[3].dropLast(5))") else {
                sink.error(SourceLocation(path: file.path), "unexpected file under versions/keys/ (rotor writes only versions/keys/<project>/<name>.yaml)")
                continue
            }
            guard case .success(let root) = YAMLDocument.parse(file) else {
                if case .failure(let diagnostic) = YAMLDocument.parse(file) { sink.add(diagnostic) }
                continue
            }
            guard let top = MappingReader(root, what: "ApiKeyVersions document", path: file.path,
                                          allowed: ["apiVersion", "kind", "metadata", "versions"], sink: sink),
                  top.string("kind", required: true) == "ApiKeyVersions",
                  let metadata = top.mapping("metadata", what: "metadata", allowed: ["project", "name"]),
                  let project = metadata.string("project", required: true), let name = metadata.string("name", required: true),
                  SecretID(parsing: "\(project)/\(name)") == expected else {
                sink.error(SourceLocation(path: file.path), "not a rotor API-key version file for \(expected)")
                continue
            }
            let versions = (top.sequence("versions") ?? []).compactMap { parseVersion($0, path: file.path, sink: sink) }
            if versions.filter({ $0.state == .active }).count > 1 { sink.error(top.location(of: "versions"), "more than one active key version") }
            result[expected] = KeyVersionFile(key: expected, versions: versions)
        }
        return (result, sink.diagnostics)
    }

    static let fields = ["id", "version", "state", "type", "scopes", "createdAt", "createdBy", "rotatedFrom", "rotatedTo",
                         "rotationReason", "expiresAt", "endedAt", "revokeReason", "hash", "hint", "recipients", "value"]

    static func parseVersion(_ node: Node, path: String, sink: DiagnosticSink) -> KeyVersion? {
        guard let reader = MappingReader(node, what: "key version", path: path, allowed: fields, sink: sink) else { return nil }
        func date(_ key: String) -> Date? {
            guard let text = reader.string(key) else { return nil }
            let date = RFC3339.parse(text)
            if date == nil { sink.error(reader.location(of: key), "\(key) must be an RFC 3339 timestamp") }
            return date
        }
        let state = reader.string("state", required: true).flatMap(KeyVersion.State.init(rawValue:))
        let type = reader.string("type", required: true).flatMap(ApiKeyType.init(rawValue:))
        let value = reader.string("value")
        if let value, !OpenPGPArmor.isEncryptedMessage(value) {
            sink.error(reader.location(of: "value"), "value must be an ASCII-armored PGP message")
            return nil
        }
        let scopes = (reader.sequence("scopes") ?? []).compactMap { node -> String? in
            if case .scalar(let scalar) = node { return scalar.string }
            return nil
        }
        let recipients = (reader.sequence("recipients") ?? []).compactMap { node -> String? in
            if case .scalar(let scalar) = node { return OpenPGPArmor.normalizeFingerprint(scalar.string) }
            return nil
        }
        guard let id = reader.string("id", required: true), let number = reader.int("version", in: 1...Int(Int32.max)),
              let state, let type, let createdAt = date("createdAt"), let hash = reader.string("hash", required: true),
              hash.hasPrefix("sha256:") else {
            sink.error(reader.start, "key version is missing id, version, state, type, createdAt or a sha256: hash")
            return nil
        }
        if state.isValid, value == nil { sink.error(reader.start, "a valid key version needs its encrypted value") }
        return KeyVersion(id: id, version: number, state: state, type: type, scopes: scopes, createdAt: createdAt,
                          createdBy: reader.string("createdBy") ?? "rotor", rotatedFrom: reader.int("rotatedFrom", in: 1...Int(Int32.max)),
                          rotatedTo: reader.string("rotatedTo"), rotationReason: reader.string("rotationReason") ?? "",
                          expiresAt: date("expiresAt"), endedAt: date("endedAt"), revokeReason: reader.string("revokeReason"),
                          hash: hash, hint: reader.string("hint") ?? "", recipients: recipients,
                          valueEncrypted: value.map(VersionFile.canonicalArmor))
    }
}
