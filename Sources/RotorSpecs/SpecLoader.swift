import Crypto
import Foundation
import RotorCore
import Yams

/// Turns the files of a secrets repository into a ``DesiredState``, reporting every problem at once.
///
/// Reads `rotor.yaml`, `policies/*.yaml` and `secrets/<project>/<name>.yaml`. Other files are
/// not its business (`versions/` has ``VersionFileParser``).
public enum SpecLoader {
    /// The API version every document carries.
    public static let apiVersion = "rotor.dev/v1"
    /// The path of the repository configuration.
    public static let configPath = "rotor.yaml"
    /// The folders (and file) the loader reads.
    public static let specPrefixes = ["rotor.yaml", "policies", "secrets"]

    /// Loads specs from `files`.
    ///
    /// - Returns: The desired state when there is no error, and every diagnostic (errors and warnings).
    public static func load(files: [SourceFile], revision: String?) -> (DesiredState?, [Diagnostic]) {
        let sink = DiagnosticSink()
        var config: RepoConfig?
        var policies: [String: Policy] = [:]
        var secrets: [SecretID: SecretSpec] = [:]
        var sawConfig = false
        for file in files.sorted(by: { $0.path < $1.path }) {
            let path = file.path
            if path == configPath {
                sawConfig = true
                config = loadDocument(file, kind: "Config", sink: sink).flatMap { loadConfig($0, sink: sink) }
            } else if path.hasPrefix("policies/") {
                guard let name = yamlStem(path, depth: 2, sink: sink) else { continue }
                guard let policy = loadDocument(file, kind: "Policy", sink: sink).flatMap({ loadPolicy($0, sink: sink) }) else { continue }
                if policy.name != name {
                    sink.error(policy.location, "policy \"\(policy.name)\" must live in policies/\(policy.name).yaml, not \(path)")
                } else if let other = policies[name] {
                    sink.error(policy.location, "policy \"\(name)\" is declared twice (also at \(other.location))")
                } else {
                    policies[name] = policy
                }
            } else if path.hasPrefix("secrets/") {
                guard let stem = yamlStem(path, depth: 3, sink: sink) else { continue }
                guard let spec = loadDocument(file, kind: "Secret", sink: sink).flatMap({ loadSecret($0, sink: sink) }) else { continue }
                let project = path.split(separator: "/")[1]
                if spec.id.project != project || spec.id.name != stem {
                    sink.error(spec.location, "secret \(spec.id) must live in \(specPath(spec.id)), not \(path)")
                } else if let other = secrets[spec.id] {
                    sink.error(spec.location, "secret \(spec.id) is declared twice (also at \(other.location))")
                } else {
                    secrets[spec.id] = spec
                }
            }
        }
        if !sawConfig {
            sink.error(SourceLocation(path: configPath), "missing repository configuration rotor.yaml (run `rotor init`)")
        }
        if let config {
            resolvePolicies(config: config, policies: policies, secrets: &secrets, sink: sink)
            addWebhookSigningSecrets(policies: &policies, secrets: &secrets, sink: sink)
        }
        let diagnostics = sink.diagnostics.sorted { $0.location < $1.location }
        guard let config, !sink.hasErrors else { return (nil, diagnostics) }
        return (DesiredState(config: config, policies: policies, secrets: secrets, revision: revision), diagnostics)
    }

    /// The path of the spec file of `secret`.
    public static func specPath(_ secret: SecretID) -> String { "secrets/\(secret.project)/\(secret.name).yaml" }

    /// Checks each secret's policy exists, filling in the repository's default policy.
    private static func resolvePolicies(config: RepoConfig, policies: [String: Policy], secrets: inout [SecretID: SecretSpec],
                                        sink: DiagnosticSink) {
        let known = policies.keys.sorted().joined(separator: ", ")
        if let name = config.defaultPolicy, policies[name] == nil {
            sink.error(SourceLocation(path: configPath), "default policy \"\(name)\" does not exist; known: \(known.isEmpty ? "none" : known)")
        }
        for (id, var spec) in secrets {
            if spec.policy.isEmpty {
                guard let fallback = config.defaultPolicy else {
                    sink.error(spec.location, "secret \(id) has no policy: set spec.policy, or spec.defaults.policy in rotor.yaml")
                    continue
                }
                spec.policy = fallback
            } else if policies[spec.policy] == nil {
                let location = spec.policyLocation ?? spec.location
                sink.error(location, "unknown policy \"\(spec.policy)\"; known: \(known.isEmpty ? "none (add policies/<name>.yaml)" : known)")
            }
            secrets[id] = spec
        }
    }

    /// Checks `path` is `<dir>/…/<stem>.yaml` with `depth` parts and a valid stem; returns the stem.
    private static func yamlStem(_ path: String, depth: Int, sink: DiagnosticSink) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let location = SourceLocation(path: path)
        guard let last = parts.last, last.hasSuffix(".yaml") || last.hasSuffix(".yml") else {
            if let last = parts.last, last.hasPrefix(".") || last.lowercased().hasPrefix("readme") { return nil }
            sink.error(location, "only .yaml files belong in \(parts[0])/")
            return nil
        }
        guard parts.count == depth else {
            sink.error(location, depth == 2 ? "policies live directly in policies/<name>.yaml"
                                           : "secrets live in secrets/<project>/<name>.yaml")
            return nil
        }
        for part in parts.dropFirst().dropLast() where !NameRule.isValid(part) {
            sink.error(location, "folder name \"\(MappingReader.printable(part))\" must match \(NameRule.pattern)")
            return nil
        }
        let stem = String(last.prefix(upTo: last.lastIndex(of: ".")!))
        guard NameRule.isValid(stem) else {
            sink.error(location, "file name \"\(MappingReader.printable(stem))\" must match \(NameRule.pattern)")
            return nil
        }
        return stem
    }

    /// Parses a file and checks its `apiVersion` and `kind`; returns its top-level reader.
    static func loadDocument(_ file: SourceFile, kind: String, sink: DiagnosticSink) -> MappingReader? {
        let root: Node
        switch YAMLDocument.parse(file) {
        case .failure(let diagnostic):
            sink.add(diagnostic)
            return nil
        case .success(let node):
            root = node
        }
        guard let top = MappingReader(root, what: "\(kind) document", path: file.path,
                                      allowed: ["apiVersion", "kind", "metadata", "spec"], sink: sink) else { return nil }
        if let version = top.string("apiVersion", required: true), version != apiVersion {
            sink.error(top.location(of: "apiVersion"), "apiVersion must be \(apiVersion), found \"\(MappingReader.printable(version))\"")
        }
        if let found = top.string("kind", required: true), found != kind {
            sink.error(top.location(of: "kind"), "kind must be \(kind) in this file, found \"\(MappingReader.printable(found))\"")
            return nil
        }
        return top
    }

    /// `sha256:<hex>` of a canonical armored value.
    public static func digest(ofArmored armored: String) -> String {
        let canonical = VersionFile.canonicalArmor(armored)
        return "sha256:" + SHA256.hash(data: Data(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
