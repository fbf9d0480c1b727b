import Foundation
import RotorCore

extension SpecLoader {
    /// `rotor.yaml`: recipients, defaults, commit author.
    static func loadConfig(_ top: MappingReader, sink: DiagnosticSink) -> RepoConfig? {
        guard let spec = top.mapping("spec", what: "Config spec", allowed: ["recipients", "defaults", "commitAuthor", "signing"]) else {
            if !top.has("spec") { sink.error(top.start, "Config document is missing required field \"spec\"") }
            return nil
        }
        var recipients: [String] = []
        if let items = spec.sequence("recipients") {
            for item in items {
                guard case .scalar(let scalar) = item, let fingerprint = OpenPGPArmor.normalizeFingerprint(scalar.string) else {
                    sink.error(spec.location(item), "recipient must be a PGP fingerprint of 40 or 64 hex digits")
                    continue
                }
                if recipients.contains(fingerprint) {
                    sink.error(spec.location(item), "recipient \(fingerprint) is listed twice")
                }
                recipients.append(fingerprint)
            }
            if items.isEmpty { sink.error(spec.location(of: "recipients"), "recipients must list at least one fingerprint") }
        } else if !spec.has("recipients") {
            sink.error(spec.start, "Config spec is missing required field \"recipients\"")
        }
        var config = RepoConfig(recipients: recipients)
        if let defaults = spec.mapping("defaults", what: "defaults", allowed: ["policy", "gracePeriod", "warnBefore"]) {
            config.defaultPolicy = defaults.string("policy")
            config.defaultGracePeriod = defaults.duration("gracePeriod")
            config.defaultWarnBefore = defaults.duration("warnBefore")
        }
        if let signing = spec.mapping("signing", what: "signing", allowed: ["key", "trustedSigners"]) {
            if let key = signing.string("key") {
                config.signingKey = OpenPGPArmor.normalizeFingerprint(key)
                if config.signingKey == nil { sink.error(signing.location(of: "key"), "signing key must be a PGP fingerprint of 40 or 64 hex digits") }
            }
            for item in signing.sequence("trustedSigners") ?? [] {
                guard case .scalar(let scalar) = item, let fingerprint = OpenPGPArmor.normalizeFingerprint(scalar.string) else {
                    sink.error(signing.location(item), "trusted signer must be a PGP fingerprint of 40 or 64 hex digits")
                    continue
                }
                config.trustedSigners.append(fingerprint)
            }
        }
        if let author = spec.mapping("commitAuthor", what: "commitAuthor", allowed: ["name", "email"]),
           let name = author.string("name", required: true), let email = author.string("email", required: true) {
            config.commitAuthor = RepoConfig.Identity(name: name, email: email)
        }
        return config
    }

    /// `kind: Policy`.
    static func loadPolicy(_ top: MappingReader, sink: DiagnosticSink) -> Policy? {
        let metadata = top.mapping("metadata", what: "Policy metadata", allowed: ["name", "description"])
        if metadata == nil, !top.has("metadata") { sink.error(top.start, "Policy document is missing required field \"metadata\"") }
        guard let name = metadata?.string("name", required: true) else { return nil }
        guard NameRule.isValid(name) else {
            sink.error(metadata!.location(of: "name"), "policy name must match \(NameRule.pattern)")
            return nil
        }
        guard let spec = top.mapping("spec", what: "Policy spec",
                                     allowed: ["rotateEvery", "gracePeriod", "warnBefore", "generator"]) else {
            if !top.has("spec") { sink.error(top.start, "Policy document is missing required field \"spec\"") }
            return nil
        }
        let generator = spec.mapping("generator", what: "generator", allowed: generatorFields).flatMap { loadGenerator($0, sink: sink) }
        return Policy(name: name, location: top.location(of: "kind"), rotateEvery: spec.duration("rotateEvery", allowZero: false),
                      gracePeriod: spec.duration("gracePeriod"), warnBefore: spec.duration("warnBefore"), generator: generator)
    }

    static let generatorFields = ["type", "length", "charset", "characters", "prefix"]

    /// A generator block: `type: password|hex|base64`, `length`, `charset` or `characters`.
    static func loadGenerator(_ reader: MappingReader, sink: DiagnosticSink) -> GeneratorSpec? {
        guard let typeName = reader.string("type", required: true) else { return nil }
        guard let kind = GeneratorSpec.Kind(rawValue: typeName) else {
            sink.error(reader.location(of: "type"), "generator type must be one of \(GeneratorSpec.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        let length = reader.int("length", in: 8...4096) ?? 32
        var generator = GeneratorSpec(kind: kind, length: length)
        if let charset = reader.string("charset") {
            guard let characters = GeneratorSpec.charsets[charset] else {
                sink.error(reader.location(of: "charset"), "unknown charset; known: \(GeneratorSpec.charsets.keys.sorted().joined(separator: ", ")) (or give `characters:`)")
                return nil
            }
            generator = GeneratorSpec(kind: kind, length: length, charsetName: charset, characters: characters)
        }
        if let characters = reader.string("characters") {
            let unique = Set(characters)
            guard unique.count >= 2, unique.count == characters.count, characters.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
                sink.error(reader.location(of: "characters"), "characters must be at least 2 distinct printable ASCII characters, none repeated")
                return nil
            }
            generator = GeneratorSpec(kind: kind, length: length, charsetName: "custom", characters: characters)
        }
        if let prefix = reader.string("prefix") {
            guard (1...32).contains(prefix.count), prefix.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline && $0 != "\"" }) else {
                sink.error(reader.location(of: "prefix"), "prefix must be 1 to 32 printable ASCII characters without spaces or quotes")
                return nil
            }
            generator.prefix = prefix
        }
        if kind != .password, reader.has("charset") || reader.has("characters") {
            sink.error(reader.location(of: reader.has("charset") ? "charset" : "characters"), "charset and characters apply to password generators only")
        }
        if generator.entropyBits < 128 {
            sink.error(reader.location(of: "length"), "generator yields \(Int(generator.entropyBits)) bits of entropy; at least 128 are required (raise length)")
        }
        return generator
    }

    /// `kind: Secret`.
    static func loadSecret(_ top: MappingReader, sink: DiagnosticSink) -> SecretSpec? {
        let metadata = top.mapping("metadata", what: "Secret metadata", allowed: ["project", "name", "description"])
        if metadata == nil, !top.has("metadata") { sink.error(top.start, "Secret document is missing required field \"metadata\"") }
        guard let metadata, let project = metadata.string("project", required: true),
              let name = metadata.string("name", required: true) else { return nil }
        for (field, value) in [("project", project), ("name", name)] where !NameRule.isValid(value) {
            sink.error(metadata.location(of: field), "\(field) must match \(NameRule.pattern)")
            return nil
        }
        let id = SecretID(project: project, name: name)
        var result = SecretSpec(id: id, location: top.location(of: "kind"), policy: "",
                                description: metadata.string("description"))
        guard let spec = top.mapping("spec", what: "Secret spec", allowed: ["policy", "generator", "value", "consumers"]) else {
            if !top.has("spec") { sink.error(top.start, "Secret document is missing required field \"spec\"") }
            return nil
        }
        result.policy = spec.string("policy") ?? ""
        result.policyLocation = spec.has("policy") ? spec.location(of: "policy") : nil
        if let generator = spec.mapping("generator", what: "generator", allowed: generatorFields) {
            result.generator = loadGenerator(generator, sink: sink)
        }
        if let value = spec.string("value") {
            if OpenPGPArmor.isEncryptedMessage(value) {
                result.externalValue = VersionFile.canonicalArmor(value)
                result.externalValueDigest = digest(ofArmored: value)
            } else {
                sink.error(spec.location(of: "value"), "value must be an ASCII-armored PGP message (gpg --encrypt --armor); a plaintext secret is never accepted. Remove it from git history if it was real")
            }
            if spec.has("generator") {
                sink.error(spec.location(of: "generator"), "a secret has either value: (issued elsewhere) or generator:, not both")
            }
        }
        result.consumers = loadConsumers(spec, path: top.path, sink: sink)
        return result
    }

    /// The `consumers:` list of a Secret or ApiKey spec.
    static func loadConsumers(_ spec: MappingReader, path: String, sink: DiagnosticSink) -> [Consumer] {
        var consumers: [Consumer] = []
        for item in spec.sequence("consumers") ?? [] {
            guard let reader = MappingReader(item, what: "consumer", path: path, allowed: ["service", "webhook"], sink: sink),
                  let service = reader.string("service", required: true) else { continue }
            guard NameRule.isValid(service) else {
                sink.error(reader.location(of: "service"), "service must match \(NameRule.pattern)")
                continue
            }
            if consumers.contains(where: { $0.service == service }) {
                sink.error(reader.location(of: "service"), "consumer \"\(service)\" is listed twice")
            }
            let webhook = reader.string("webhook")
            if let webhook, let problem = webhookURLProblem(webhook) {
                sink.error(reader.location(of: "webhook"), problem)
            }
            consumers.append(Consumer(service: service, webhook: webhook))
        }
        return consumers
    }

    /// What is wrong with a consumer's webhook URL, or nil. (The message never quotes the URL:
    /// it may hold a password.)
    public static func webhookURLProblem(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else { return "webhook must be an http:// or https:// URL with a host" }
        guard url.user == nil, url.password == nil else {
            return "webhook must not carry credentials (user:password@): the spec is in git in plain text; receivers check the webhook signature instead"
        }
        return nil
    }
}
