import Foundation
import Hummingbird
import Logging
import RotorServer

/// The management page: server-rendered HTML on the control plane's server, a client of the same
/// handlers the API answers with (each page presents the session's key to them, so the same
/// authentication, scopes and audit apply). Registered beside the API by ``ControlPlaneServer``.
package struct ManagementPage: ControlPlaneRoutes {
    /// How long a session lasts by default: 8 hours.
    package static let defaultSessionLifetime: TimeInterval = 8 * 3_600

    let sessionLifetime: TimeInterval
    let logger: Logger

    /// - Parameters:
    ///   - sessionLifetime: How long a sign-in lasts, by the control plane's clock.
    ///   - logger: Where errors the page could not classify are logged (never a value or a key).
    package init(sessionLifetime: TimeInterval = ManagementPage.defaultSessionLifetime, logger: Logger) {
        self.sessionLifetime = sessionLifetime
        self.logger = logger
    }

    package func register(on router: Router<ServerContext>, controlPlane: ControlPlane, tls: Bool) throws {
        let pages = Pages(controlPlane: controlPlane, sessions: SessionStore(lifetime: sessionLifetime), renderer: try Renderer(),
                          tls: tls, logger: logger)
        pages.addRoutes(to: router)
    }
}
