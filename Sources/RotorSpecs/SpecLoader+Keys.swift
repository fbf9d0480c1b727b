import Foundation
import RotorCore

extension SpecLoader {
    /// `kind: KeyPolicy`: rotateEvery, overlap (default 24h), maxAge.
    static func loadKeyPolicy(_ top: MappingReader, sink: DiagnosticSink) -> KeyPolicy? {
        guard let metadata = top.mapping("metadata", what: "KeyPolicy metadata", allowed: ["name", "description"]),
              let name = metadata.string("name", required: true) else {
            if !top.has("metadata") { sink.error(top.start, "KeyPolicy document is missing required field \"metadata\"") }
            return nil
        }
        guard NameRule.isValid(name) else {
            sink.error(metadata.location(of: "name"), "policy name must match \(NameRule.pattern)")
            return nil
        }
        guard let spec = top.mapping("spec", what: "KeyPolicy spec", allowed: ["rotateEvery", "overlap", "maxAge"]) else {
            if !top.has("spec") { sink.error(top.start, "KeyPolicy document is missing required field \"spec\"") }
            return nil
        }
        let policy = KeyPolicy(name: name, location: top.location(of: "kind"), rotateEvery: spec.duration("rotateEvery", allowZero: false),
                               overlap: spec.duration("overlap") ?? RotorDuration(seconds: 86_400),
                               maxAge: spec.duration("maxAge", allowZero: false))
        if let every = policy.rotateEvery, let maxAge = policy.maxAge, maxAge.seconds < every.seconds + policy.overlap.seconds {
            sink.error(spec.location(of: "maxAge"), "maxAge \(maxAge) is shorter than rotateEvery + overlap (\(RotorDuration(seconds: every.seconds + policy.overlap.seconds))): keys would expire before their replacement is in use")
        }
        return policy
    }

    /// `kind: ApiKey`.
    static func loadApiKey(_ top: MappingReader, sink: DiagnosticSink) -> ApiKeySpec? {
        guard let metadata = top.mapping("metadata", what: "ApiKey metadata", allowed: ["project", "name", "description"]),
              let project = metadata.string("project", required: true), let name = metadata.string("name", required: true) else {
            if !top.has("metadata") { sink.error(top.start, "ApiKey document is missing required field \"metadata\"") }
            return nil
        }
        for (field, value) in [("project", project), ("name", name)] where !NameRule.isValid(value) {
            sink.error(metadata.location(of: field), "\(field) must match \(NameRule.pattern)")
            return nil
        }
        guard let spec = top.mapping("spec", what: "ApiKey spec",
                                     allowed: ["type", "scopes", "policy", "expiresAt", "revoked", "revokeReason", "consumers"]) else {
            if !top.has("spec") { sink.error(top.start, "ApiKey document is missing required field \"spec\"") }
            return nil
        }
        let typeName = spec.string("type", required: true)
        let type = typeName.flatMap(ApiKeyType.init(rawValue:))
        if typeName != nil, type == nil {
            sink.error(spec.location(of: "type"), "type must be one of \(ApiKeyType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var scopes: [String] = []
        if let items = spec.sequence("scopes") {
            for item in items {
                guard case .scalar(let scalar) = item, ScopeRule.isValid(scalar.string) else {
                    sink.error(spec.location(item), "scope must look like resource:action (lowercase letters, digits, - _ . *), e.g. payments:read")
                    continue
                }
                if scopes.contains(scalar.string) { sink.error(spec.location(item), "scope \"\(scalar.string)\" is listed twice") }
                scopes.append(scalar.string)
            }
            if items.isEmpty { sink.error(spec.location(of: "scopes"), "scopes must list at least one scope") }
        } else if !spec.has("scopes") {
            sink.error(spec.start, "ApiKey spec is missing required field \"scopes\"")
        }
        let policy = spec.string("policy", required: true)
        var expiresAt: Date?
        if let text = spec.string("expiresAt") {
            expiresAt = RFC3339.parse(text)
            if expiresAt == nil { sink.error(spec.location(of: "expiresAt"), "expiresAt must be an RFC 3339 timestamp") }
        }
        let revoked = spec.bool("revoked") ?? false
        let revokeReason = spec.string("revokeReason")
        if revokeReason != nil, !revoked { sink.error(spec.location(of: "revokeReason"), "revokeReason is only meaningful with revoked: true") }
        let consumers = loadConsumers(spec, path: top.path, sink: sink)
        guard let type, let policy else { return nil }
        return ApiKeySpec(id: SecretID(project: project, name: name), location: top.location(of: "kind"), type: type, scopes: scopes,
                          policy: policy, policyLocation: spec.location(of: "policy"), expiresAt: expiresAt, revoked: revoked,
                          revokeReason: revokeReason, consumers: consumers)
    }
}
