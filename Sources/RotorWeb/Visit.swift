import Foundation
import Hummingbird
import RotorServer

/// One request of a signed-in session: the session, who its key is, and now.
struct Visit: Sendable {
    let pages: Pages
    let request: Request
    let context: ServerContext
    let session: Session
    /// Who the key is (nil only while it is being authenticated).
    let identity: CallerIdentity?
    /// The control plane's now.
    let now: Date

    /// Calls a control-plane handler as this session: the session's key as the bearer, this
    /// request's address and path, and `web` as how the call came (in the audit log).
    func call<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let info = RequestInfo(authorization: session.authorization, sourceAddress: context.remoteAddress?.ipAddress ?? "unknown",
                               path: request.uri.path, via: "web")
        return try await RequestInfo.$current.withValue(info) { try await body() }
    }

    /// Whether the key holds `scope` (or `rotor:admin`).
    func may(_ scope: String) -> Bool {
        identity?.has(scope) ?? false
    }
}
