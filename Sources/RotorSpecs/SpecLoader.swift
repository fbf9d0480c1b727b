import Crypto
import Foundation
import RotorCore

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
    public static let specPrefixes = ["rotor.yaml", "policies", "secrets", "keys"]
    /// The largest spec or version file rotor reads; a larger one is refused by its size,
    /// before it is read.
    public static let maxFileBytes = YAMLDocument.maxBytes

    /// The error for a file over ``maxFileBytes`` (`bytes` long), which was not read.
    public static func oversize(_ path: String, bytes: Int) -> Diagnostic {
        Diagnostic(.wholeFile(path), "file is \(bytes) bytes; the limit is \(maxFileBytes)")
    }

    /// The error for a symlink where rotor reads specs or versions: it is never followed.
    public static func symlink(_ path: String) -> Diagnostic {
        Diagnostic(.wholeFile(path), "symlinks are not allowed")
    }

    /// One file, parsed on its own (in parallel with the others).
    private enum Parsed {
        case config(RepoConfig?)
        case policy(Policy?, stem: String)
        case keyPolicy(KeyPolicy?, stem: String)
        case secret(SecretSpec?, stem: String)
        case key(ApiKeySpec?, stem: String)
        case none

        init(_ cached: CachedParse) {
            switch cached {
            case .config(let config): self = .config(config)
            case .policy(let policy, let stem): self = .policy(policy, stem: stem)
            case .keyPolicy(let policy, let stem): self = .keyPolicy(policy, stem: stem)
            case .secret(let spec, let stem): self = .secret(spec, stem: stem)
            case .key(let key, let stem): self = .key(key, stem: stem)
            case .versionFile: self = .none
            }
        }

        /// The cache's form of a successful parse.
        var cacheable: CachedParse? {
            switch self {
            case .config(let config?): return .config(config)
            case .policy(let policy?, let stem): return .policy(policy, stem: stem)
            case .keyPolicy(let policy?, let stem): return .keyPolicy(policy, stem: stem)
            case .secret(let spec?, let stem): return .secret(spec, stem: stem)
            case .key(let key?, let stem): return .key(key, stem: stem)
            default: return nil
            }
        }
    }

    /// Parses one file by where it lives; no cross-file checks.
    private static func parseOne(_ file: SourceFile, sink: DiagnosticSink) -> Parsed {
        if let cached = file.cached { return Parsed(cached) }
        let path = file.path
        if path == configPath {
            return .config(loadDocument(file, kind: "Config", sink: sink).flatMap { loadConfig($0, sink: sink) })
        } else if path.hasPrefix("policies/") {
            guard let stem = yamlStem(path, depth: 2, sink: sink),
                  let (top, kind) = loadDocument(file, kinds: ["Policy", "KeyPolicy"], sink: sink) else { return .none }
            return kind == "KeyPolicy" ? .keyPolicy(loadKeyPolicy(top, sink: sink), stem: stem) : .policy(loadPolicy(top, sink: sink), stem: stem)
        } else if path.hasPrefix("secrets/") {
            guard let stem = yamlStem(path, depth: 3, sink: sink) else { return .none }
            return .secret(loadDocument(file, kind: "Secret", sink: sink).flatMap { loadSecret($0, sink: sink) }, stem: stem)
        } else if path.hasPrefix("keys/") {
            guard let stem = yamlStem(path, depth: 3, sink: sink) else { return .none }
            return .key(loadDocument(file, kind: "ApiKey", sink: sink).flatMap { loadApiKey($0, sink: sink) }, stem: stem)
        }
        return .none
    }

    /// Loads specs from `files`: every file is parsed in parallel, then cross-file rules are checked.
    ///
    /// - Parameter cache: Keeps each file that parsed without a diagnostic, by path and blob id.
    /// - Returns: The desired state when there is no error, and every diagnostic (errors and warnings).
    public static func load(files: [SourceFile], revision: String?, cache: ParseCache? = nil) -> (DesiredState?, [Diagnostic]) {
        let sorted = files.sorted { $0.path < $1.path }
        let parsed = ParallelMap.map(sorted) { file -> (Parsed, [Diagnostic]) in
            let sink = DiagnosticSink()
            return (parseOne(file, sink: sink), sink.diagnostics)
        }
        if let cache {
            for (file, (result, problems)) in zip(sorted, parsed) where file.cached == nil && problems.isEmpty {
                if let cacheable = result.cacheable { cache.record(file, cacheable) }
            }
        }
        let sink = DiagnosticSink()
        var config: RepoConfig?
        var policies: [String: Policy] = [:]
        var secrets: [SecretID: SecretSpec] = [:]
        secrets.reserveCapacity(sorted.count)
        var keyPolicies: [String: KeyPolicy] = [:]
        var keys: [SecretID: ApiKeySpec] = [:]
        var sawConfig = false
        // By index, not zip: each file's parse is read in place, not copied out first (at
        // 100,000 specs those copies were a quarter of this loop).
        for index in sorted.indices {
            parsed[index].1.forEach(sink.add)
            let path = sorted[index].path
            // The second part of the path, split on bytes (the split on characters cost more than the rest of this loop).
            let project = path.utf8.split(separator: UInt8(ascii: "/"), maxSplits: 2).dropFirst().first.map { String(Substring($0)) } ?? ""
            switch parsed[index].0 {
            case .none:
                continue
            case .config(let loaded):
                sawConfig = true
                config = loaded
            case .policy(let policy, let stem):
                guard let policy else { continue }
                addPolicy(name: policy.name, location: policy.location, stem: stem, path: path, taken: policies[stem]?.location ?? keyPolicies[stem]?.location,
                          sink: sink) { policies[stem] = policy }
            case .keyPolicy(let policy, let stem):
                guard let policy else { continue }
                addPolicy(name: policy.name, location: policy.location, stem: stem, path: path, taken: policies[stem]?.location ?? keyPolicies[stem]?.location,
                          sink: sink) { keyPolicies[stem] = policy }
            case .secret(let spec, let stem):
                guard let spec else { continue }
                if spec.id.project != project || spec.id.name != stem {
                    sink.error(spec.location, "secret \(spec.id) must live in \(specPath(spec.id)), not \(path)")
                } else if let other = secrets[spec.id] {
                    sink.error(spec.location, "secret \(spec.id) is declared twice (also at \(other.location))")
                } else {
                    secrets[spec.id] = spec
                }
            case .key(let key, let stem):
                guard let key else { continue }
                if key.id.project != project || key.id.name != stem {
                    sink.error(key.location, "API key \(key.id) must live in \(ApiKeySpec.path(for: key.id)), not \(path)")
                } else if let other = keys[key.id] {
                    sink.error(key.location, "API key \(key.id) is declared twice (also at \(other.location))")
                } else {
                    keys[key.id] = key
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
        for key in keys.values where keyPolicies[key.policy] == nil {
            let known = keyPolicies.keys.sorted().joined(separator: ", ")
            let hint = policies[key.policy] != nil ? " (\"\(key.policy)\" is a secret Policy; keys need kind: KeyPolicy)" : ""
            sink.error(key.policyLocation ?? key.location, "unknown key policy \"\(key.policy)\"\(hint); known: \(known.isEmpty ? "none" : known)")
        }
        let diagnostics = sink.diagnostics.sorted { $0.location < $1.location }
        guard let config, !sink.hasErrors else { return (nil, diagnostics) }
        return (DesiredState(config: config, policies: policies, secrets: secrets, revision: revision,
                             keyPolicies: keyPolicies, keys: keys), diagnostics)
    }

    /// Registers a policy unless its name or file clashes.
    private static func addPolicy(name: String, location: SourceLocation, stem: String, path: String, taken: SourceLocation?,
                                  sink: DiagnosticSink, add: () -> Void) {
        if name != stem {
            sink.error(location, "policy \"\(name)\" must live in policies/\(name).yaml, not \(path)")
        } else if let taken {
            sink.error(location, "policy \"\(name)\" is declared twice (also at \(taken))")
        } else {
            add()
        }
    }

    /// Reads only `rotor.yaml` (for checking signatures commit by commit); nil when it does not validate.
    public static func loadConfig(_ file: SourceFile) -> RepoConfig? {
        let sink = DiagnosticSink()
        let config = loadDocument(file, kind: "Config", sink: sink).flatMap { loadConfig($0, sink: sink) }
        return sink.hasErrors ? nil : config
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
        for (id, spec) in secrets {
            if spec.policy.isEmpty {
                guard let fallback = config.defaultPolicy else {
                    sink.error(spec.location, "secret \(id) has no policy: set spec.policy, or spec.defaults.policy in rotor.yaml")
                    continue
                }
                secrets[id]?.policy = fallback
            } else if policies.index(forKey: spec.policy) == nil {
                let location = spec.policyLocation ?? spec.location
                sink.error(location, "unknown policy \"\(spec.policy)\"; known: \(known.isEmpty ? "none (add policies/<name>.yaml)" : known)")
            }
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
        loadDocument(file, kinds: [kind], sink: sink)?.0
    }

    /// Parses a file whose `kind` is one of `kinds`; returns its reader and kind.
    static func loadDocument(_ file: SourceFile, kinds: [String], sink: DiagnosticSink) -> (MappingReader, String)? {
        let kind = kinds[0]
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
        guard let found = top.string("kind", required: true) else { return nil }
        guard kinds.contains(found) else {
            sink.error(top.location(of: "kind"), "kind must be \(kinds.joined(separator: " or ")) in this file, found \"\(MappingReader.printable(found))\"")
            return nil
        }
        return (top, found)
    }

    /// `sha256:<hex>` of a canonical armored value.
    public static func digest(ofArmored armored: String) -> String {
        let canonical = VersionFile.canonicalArmor(armored)
        return "sha256:" + HexEncoding.lowercase(SHA256.hash(data: Data(canonical.utf8)))
    }
}
