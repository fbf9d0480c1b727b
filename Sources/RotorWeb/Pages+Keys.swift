import Foundation
import Hummingbird
import RotorAPIContract
import RotorCore
import RotorServer

extension Pages {
    /// `GET /keys`: every API key with its versions (state, hint, last used, uses), and Rotate and
    /// Revoke for keys that may manage them.
    func keys(_ request: Request, _ context: ServerContext) async -> Response {
        await page(request, context) { visit in
            let keys = try await visit.call { [controlPlane] in try await controlPlane.listKeys(.init()).ok.body.json.keys }
            let now = visit.now, canManage = visit.may("rotor:keys:manage")
            var rows: [[String: Any]] = []
            for key in keys {
                let versions = try await visit.call { [controlPlane] in
                    try await controlPlane.getKey(.init(path: .init(project: key.project, name: key.name))).ok.body.json.versions
                }
                let live = versions.filter { ["active", "overlap"].contains($0.state) }
                rows.append([
                    "id": key.id, "anchor": "key-\(key.project)-\(key.name)", "project": key.project, "name": key.name, "type": key._type,
                    "scopes": key.scopes.joined(separator: ", "), "policy": key.policy, "revoked": key.revoked,
                    "consumers": key.consumers.isEmpty ? "no service" : key.consumers.joined(separator: ", "),
                    "activeVersion": key.activeVersion as Any, "isYou": visit.identity?.key == key.id,
                    "versions": versions.map { version -> [String: Any] in
                        [
                            "version": version.version, "state": version.state, "hint": version.hint,
                            "createdAt": TimeView(version.createdAt, now: now), "expiresAt": TimeView(version.expiresAt, now: now) as Any,
                            "endedAt": TimeView(version.endedAt, now: now) as Any, "lastUsed": TimeView(version.lastUsedAt, now: now) as Any,
                            "uses": version.uses,
                        ]
                    },
                    "canRotate": canManage && !key.revoked, "canRevoke": canManage && !key.revoked && !live.isEmpty,
                    "rotateExplanation": Self.rotateExplanation(key),
                ])
            }
            return PageView(template: "keys", title: "API keys", section: .keys, model: [
                "keys": rows, "hasKeys": !rows.isEmpty, "canManage": canManage,
            ])
        }
    }

    /// What rotating a key does, before it is done: the overlap and the services that must switch.
    static func rotateExplanation(_ key: Components.Schemas.KeySummary) -> String {
        let read = "Read the new key with rotor get \(key.id) --key."
        guard let active = key.activeVersion else {
            let services = key.consumers.isEmpty ? "" : " \(key.consumers.joined(separator: ", ")) need the new key to get access back."
            return "Issues a new version now. No version verifies today, so there is no overlap.\(services) \(read)"
        }
        let services = key.consumers.isEmpty ? "No service holds it." : "\(key.consumers.joined(separator: ", ")) must switch to the new key before the overlap ends."
        return "Creates v\(active + 1) now. v\(active) keeps verifying for the overlap of policy \(key.policy), then stops. \(services) \(read)"
    }

    /// `POST /keys/{project}/{name}/rotate` → `rotateKey`; the message is the handler's explanation.
    func rotateKey(_ request: Request, _ context: ServerContext) async -> Response {
        let (project, name) = Self.pathName(context)
        return await action(request, context) { visit, form in
            let reason = try form.required("reason", "A reason")
            let rotation = try await visit.call { [controlPlane] in
                try await controlPlane.rotateKey(.init(path: .init(project: project, name: name), body: .json(.init(reason: reason)))).ok.body.json
            }
            var text = "Rotated key \(rotation.key) to v\(rotation.version)."
            if let end = rotation.overlapEndsAt { text += " The previous version verifies until \(Formatting.stamp(end)) (\(Formatting.left(until: end, now: visit.now)))." }
            if !rotation.services.isEmpty { text += " Services that must switch: \(rotation.services.joined(separator: ", "))." }
            text += " " + rotation.explanation
            return .redirect("/keys#key-\(project)-\(name)", Flash(kind: .success, text: text))
        }
    }

    /// `POST /keys/{project}/{name}/revoke` → `revokeKey`: every valid version stops verifying now.
    func revokeKey(_ request: Request, _ context: ServerContext) async -> Response {
        let (project, name) = Self.pathName(context)
        return await action(request, context) { visit, form in
            let reason = try form.required("reason", "A reason")
            let revocation = try await visit.call { [controlPlane] in
                try await controlPlane.revokeKey(.init(path: .init(project: project, name: name), body: .json(.init(reason: reason)))).ok.body.json
            }
            let versions = revocation.revokedVersions.map { "v\($0)" }.joined(separator: ", ")
            return .redirect("/keys#key-\(project)-\(name)", Flash(kind: .success, text: "Revoked key \(revocation.key) (\(versions)): it no longer verifies." + (revocation.commit.map { " Commit \($0.prefix(12))." } ?? "")))
        }
    }
}
