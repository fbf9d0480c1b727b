import RotorAPIContract
import Foundation
import RotorCore
import RotorEngine
import RotorStore

extension ControlPlane {
    package func listSecrets(_ input: Operations.ListSecrets.Input) async throws -> Operations.ListSecrets.Output {
        _ = try await authorize(.secretsRead)
        if let project = input.query.project { try ContractChecks.name(project, "project") }
        let view = try await view()
        let ids = view.desired.secrets.keys.filter { input.query.project == nil || $0.project == input.query.project }
        let secrets = ids.sorted(by: NaturalOrder.less).compactMap { summary(of: $0, in: view) }
        return .ok(.init(body: .json(.init(secrets: secrets))))
    }

    package func getSecret(_ input: Operations.GetSecret.Input) async throws -> Operations.GetSecret.Output {
        _ = try await authorize(.secretsRead)
        let id = try secretID(input.path.project, input.path.name)
        let view = try await view()
        guard let summary = summary(of: id, in: view) else { throw unknownSecret(id, view: view) }
        let now = self.now
        let records = try await blocking { [self] in try engine().history(of: id, now: now) }
        let versions = records.map { record in
            Components.Schemas.VersionInfo(
                id: record.id, version: record.version,
                state: record.expiredAt != nil || record.state == "expired" ? .expired : record.active ? .active : .grace,
                createdAt: record.createdAt, createdBy: record.createdBy, rotatedFrom: record.rotatedFromVersion,
                reason: record.rotationReason, graceExpiresAt: record.graceExpiresAt, expiredAt: record.expiredAt, commit: record.gitCommit)
        }
        return .ok(.init(body: .json(.init(secret: summary, versions: versions))))
    }

    package func listSecretConsumers(_ input: Operations.ListSecretConsumers.Input) async throws -> Operations.ListSecretConsumers.Output {
        _ = try await authorize(.secretsRead)
        let id = try secretID(input.path.project, input.path.name)
        let view = try await view()
        guard view.desired.secrets[id] != nil else { throw unknownSecret(id, view: view) }
        let now = self.now
        let consumers = try await blocking { [self] in try engine().consumers(of: id, now: now) }
        return .ok(.init(body: .json(.init(consumers: consumers.map {
            Components.Schemas.Consumer(service: $0.service, webhook: $0.webhookURL, lastUsedAt: $0.lastUsedAt)
        }))))
    }

    /// The hot path after a rotation: authenticate from the view, authorise by the consumer
    /// list, take the value from the vault (one decryption per version), and answer only once
    /// the audit row is committed.
    package func getSecretValue(_ input: Operations.GetSecretValue.Input) async throws -> Operations.GetSecretValue.Output {
        let caller = try await authenticate(.valuesRead)
        let id = try secretID(input.path.project, input.path.name)
        try ContractChecks.range(input.query.version, "version", 1...1_000_000_000)
        let view = try await view()
        guard let spec = view.desired.secrets[id] else { throw unknownSecret(id, view: view) }
        let consumers = Set(spec.consumers.map(\.service))
        guard caller.isAdmin || caller.services.contains(where: consumers.contains) else {
            throw APIProblem.forbidden("\(caller.key) is held by \(caller.services.isEmpty ? "no service" : caller.services.joined(separator: ", ")), and \(id) is consumed by \(consumers.isEmpty ? "no service" : consumers.sorted().joined(separator: ", ")): add the service as a consumer of \(id) in git to grant read access")
        }
        let now = self.now
        let version = try liveVersion(of: id, number: input.query.version, in: view, now: now)
        let value = try await vault.value(versionID: version.id, ciphertext: version.valueEncrypted)
        try await journal.record(.read(ValueRead(action: "secret.accessed", target: id, version: version.version, versionID: version.id,
                                                 actor: caller.actor, at: now, keyVersionID: caller.versionID,
                                                 via: RequestInfo.current.via)))
        guard let text = value.utf8String() else { throw APIProblem.internalError("the value of \(id) v\(version.version) is not UTF-8 text") }
        return .ok(.init(headers: .init(cacheControl: .noStore), body: .json(.init(secret: id.description, version: version.version, value: text))))
    }

    package func rotateSecret(_ input: Operations.RotateSecret.Input) async throws -> Operations.RotateSecret.Output {
        let caller = try await authorize(.secretsRotate)
        let id = try secretID(input.path.project, input.path.name)
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("a JSON body is required") }
        try ContractChecks.reason(body.reason)
        let view = try await view()
        guard view.desired.secrets[id] != nil else { throw unknownSecret(id, view: view) }
        let result = try await write(.rotate(id, .secret, reason: body.reason), caller: caller)
        return .ok(.init(body: .json(try rotation(of: id, in: result, reason: body.reason))))
    }

    package func rollbackSecret(_ input: Operations.RollbackSecret.Input) async throws -> Operations.RollbackSecret.Output {
        let caller = try await authorize(.secretsRollback)
        let id = try secretID(input.path.project, input.path.name)
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("a JSON body is required") }
        try ContractChecks.reason(body.reason)
        try ContractChecks.range(body.toVersion, "toVersion", 1...1_000_000_000)
        let view = try await view()
        guard view.desired.secrets[id] != nil else { throw unknownSecret(id, view: view) }
        let result = try await write(.rollback(id, toVersion: body.toVersion, reason: body.reason, expireCurrent: body.expireCurrent ?? false),
                                     caller: caller)
        return .ok(.init(body: .json(try rotation(of: id, in: result, reason: body.reason))))
    }

    // MARK: - Helpers

    /// The list row of a secret.
    func summary(of id: SecretID, in view: ControlPlaneView) -> Components.Schemas.SecretSummary? {
        guard let spec = view.desired.secrets[id] else { return nil }
        let file = view.versionFiles[id]
        return Components.Schemas.SecretSummary(
            id: id.description, project: id.project, name: id.name, policy: spec.policy,
            source: spec.isExternal ? .external : .generated, version: file?.active?.version, lastRotated: file?.active?.createdAt,
            nextDue: Planner.nextDue(spec: spec, file: file, desired: view.desired),
            graceVersions: (file?.versions ?? []).filter { $0.state == .grace }.map { .init(version: $0.version, graceExpiresAt: $0.graceExpiresAt) },
            consumers: spec.consumers.map(\.service))
    }

    /// The version a value read asks for: the active one, or `number` while it is in grace.
    func liveVersion(of id: SecretID, number: Int?, in view: ControlPlaneView, now: Date) throws -> SecretVersion {
        guard let file = view.versionFiles[id], let active = file.active else {
            throw APIProblem.conflict("\(id) has no version yet: rotor has not applied it")
        }
        guard let number else { return active }
        let live = file.versions.map { "v\($0.version) (\($0.state.rawValue))" }.joined(separator: ", ")
        guard let version = file.versions.first(where: { $0.version == number }) else {
            if number < active.version {
                throw APIProblem.gone("\(id) v\(number) is past its grace period: its value was removed. Live versions: \(live)")
            }
            throw APIProblem.notFound("\(id) has no version \(number). Live versions: \(live)")
        }
        if version.state == .grace, let end = version.graceExpiresAt, end <= now {
            throw APIProblem.gone("\(id) v\(number)'s grace period ended at \(RFC3339.format(end)): its value is no longer served. Live versions: \(live)")
        }
        return version
    }

    /// Parses path parameters into an id, or 404s.
    func secretID(_ project: String, _ name: String) throws -> SecretID {
        guard let id = SecretID(parsing: "\(project)/\(name)") else { throw APIProblem.notFound("\(project)/\(name) is not a valid name") }
        return id
    }

    func unknownSecret(_ id: SecretID, view: ControlPlaneView) -> APIProblem {
        APIProblem.notFound("no secret \(id) in this repository at \(String(view.revision.prefix(12)))")
    }

    /// Performs a write, maps engine errors to problems, audits nothing more (the engine's
    /// commit and store step audit the change with the caller as actor), and refreshes the view.
    func write(_ action: WriteAction, caller: Caller) async throws -> ApplyResult {
        defer { invalidateView() }
        do {
            return try await writer.perform(action, actor: caller.actor, now: now)
        } catch let error as EngineError {
            throw APIProblem.conflict(error.description)
        } catch let error as StateLockHeld {
            throw APIProblem(slug: "busy", status: 503, title: "Busy", detail: "\(error)", retryAfter: 5)
        }
    }

    /// The answer to a rotation or rollback of `id`.
    func rotation(of id: SecretID, in result: ApplyResult, reason: String) throws -> Components.Schemas.Rotation {
        guard let action = result.plan.actions.first(where: { $0.secret == id && $0.resource == .secret && ($0.kind == .rotate || $0.kind == .create) }),
              let version = action.version else {
            throw APIProblem.conflict("\(id) was not rotated: \(result.plan.notices.filter { $0.secret == id }.map(\.message).joined(separator: "; "))")
        }
        let replaced = result.plan.actions.first { $0.secret == id && $0.kind == .expire }
        return Components.Schemas.Rotation(
            secret: id.description, version: version, rotatedFrom: action.fromVersion, reason: action.reason,
            graceExpiresAt: replaced == nil ? action.graceExpiresAt : nil, commit: result.commit?.hex,
            consumers: action.consumers)
    }
}
