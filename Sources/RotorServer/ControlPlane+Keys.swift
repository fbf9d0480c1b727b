import RotorAPIContract
import Foundation
import RotorCore
import RotorCrypto
import RotorEngine
import RotorStore

extension ControlPlane {
    package func listKeys(_ input: Operations.ListKeys.Input) async throws -> Operations.ListKeys.Output {
        _ = try await authorize(.keysRead)
        let view = try await view()
        let keys = view.desired.keys.keys.sorted(by: NaturalOrder.less).compactMap { keySummary(of: $0, in: view) }
        return .ok(.init(body: .json(.init(keys: keys))))
    }

    package func getKey(_ input: Operations.GetKey.Input) async throws -> Operations.GetKey.Output {
        _ = try await authorize(.keysRead)
        let (id, summary) = try await knownKey(input.path.project, input.path.name)
        return .ok(.init(body: .json(.init(key: summary, versions: try await keyVersions(of: id)))))
    }

    package func getKeyUsage(_ input: Operations.GetKeyUsage.Input) async throws -> Operations.GetKeyUsage.Output {
        _ = try await authorize(.keysRead)
        let (id, _) = try await knownKey(input.path.project, input.path.name)
        return .ok(.init(body: .json(.init(key: id.description, versions: try await keyVersions(of: id)))))
    }

    package func rotateKey(_ input: Operations.RotateKey.Input) async throws -> Operations.RotateKey.Output {
        let caller = try await authorize(.keysManage)
        let (id, _) = try await knownKey(input.path.project, input.path.name)
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("a JSON body is required") }
        try ContractChecks.reason(body.reason)
        let result = try await write(.rotate(id, .key, reason: body.reason), caller: caller)
        guard let action = result.plan.actions.first(where: { $0.secret == id && $0.resource == .key && ($0.kind == .rotate || $0.kind == .create) }),
              let version = action.version else {
            throw APIProblem.conflict("\(id) was not rotated: \(result.plan.notices.filter { $0.secret == id }.map(\.message).joined(separator: "; "))")
        }
        var explained = result.plan
        explained.actions = explained.actions.filter { $0.secret == id && $0.resource == .key }
        explained.notices = explained.notices.filter { $0.secret == id }
        return .ok(.init(body: .json(.init(
            key: id.description, version: version, overlapEndsAt: action.graceExpiresAt, services: action.consumers,
            explanation: explained.keyRotationExplanation() + "Read the new key with `rotor get \(id) --key`.", commit: result.commit?.hex))))
    }

    package func revokeKey(_ input: Operations.RevokeKey.Input) async throws -> Operations.RevokeKey.Output {
        let caller = try await authorize(.keysManage)
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("a JSON body is required") }
        return .ok(.init(body: .json(try await revoke(input.path.project, input.path.name, reason: body.reason, caller: caller))))
    }

    package func deleteKey(_ input: Operations.DeleteKey.Input) async throws -> Operations.DeleteKey.Output {
        let caller = try await authorize(.keysManage)
        return .ok(.init(body: .json(try await revoke(input.path.project, input.path.name, reason: input.query.reason, caller: caller))))
    }

    package func verifyKey(_ input: Operations.VerifyKey.Input) async throws -> Operations.VerifyKey.Output {
        _ = try await authorize(.keysRead)
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("a JSON body is required") }
        try ContractChecks.length(body.key, "key", max: 4096, min: 1)
        let presented = SecretBytes(Array(body.key.utf8))
        let now = self.now
        let verdict = try await blocking { [self] in try engine().verifyKey(presented, now: now) }
        return .ok(.init(body: .json(.init(valid: verdict.valid, reason: verdict.reason, key: verdict.key?.description, _type: verdict.type,
                                           scopes: verdict.scopes, version: verdict.version, expiresAt: verdict.expiresAt))))
    }

    // MARK: - Helpers

    private func revoke(_ project: String, _ name: String, reason: String, caller: Caller) async throws -> Components.Schemas.Revocation {
        try ContractChecks.reason(reason)
        let (id, _) = try await knownKey(project, name)
        let result = try await write(.revoke(id, reason: reason), caller: caller)
        let revoked = result.plan.actions.filter { $0.secret == id && $0.resource == .key && $0.kind == .revoke }.compactMap(\.version)
        guard !revoked.isEmpty else { throw APIProblem.conflict("nothing to revoke: \(id) has no valid version") }
        return .init(key: id.description, revokedVersions: revoked.sorted(), commit: result.commit?.hex)
    }

    private func knownKey(_ project: String, _ name: String) async throws -> (SecretID, Components.Schemas.KeySummary) {
        let id = try secretID(project, name)
        let view = try await view()
        guard let summary = keySummary(of: id, in: view) else {
            throw APIProblem.notFound("no API key \(id) in this repository at \(String(view.revision.prefix(12)))")
        }
        return (id, summary)
    }

    private func keySummary(of id: SecretID, in view: ControlPlaneView) -> Components.Schemas.KeySummary? {
        guard let spec = view.desired.keys[id] else { return nil }
        return .init(id: id.description, project: id.project, name: id.name, _type: spec.type.rawValue, scopes: spec.scopes, policy: spec.policy,
                     consumers: spec.consumers.map(\.service), activeVersion: view.keyFiles[id]?.active?.version, revoked: spec.revoked)
    }

    private func keyVersions(of id: SecretID) async throws -> [Components.Schemas.KeyVersionInfo] {
        let now = self.now
        let records: [KeyRecord]
        do {
            records = try await blocking { [self] in try engine().keyUsage(of: id, now: now) }
        } catch let error as EngineError {
            throw APIProblem.conflict(error.description)
        }
        return records.sorted { $0.version > $1.version }.map {
            .init(version: $0.version, state: $0.state, hint: $0.hint, createdAt: $0.createdAt, expiresAt: $0.expiresAt,
                  endedAt: $0.endedAt, lastUsedAt: $0.lastUsed, uses: Int64($0.usageCount))
        }
    }
}
