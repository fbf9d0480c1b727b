/// What the HTTP layer knows of the request being handled, for the generated handlers (which see
/// only the contract's parameters): the presented credential and where the request came from.
///
/// Set by ``RequestInfoMiddleware`` around each request; read through ``current``.
///
/// The management page sets it too, around each handler it calls, with the session's key.
package struct RequestInfo: Sendable {
    /// The `Authorization` header as sent, if any (never logged).
    package var authorization: String?
    /// The peer's address without the port (`127.0.0.1`), or `unknown`.
    package var sourceAddress: String
    /// The request's path, for problem documents (`instance`).
    package var path: String
    /// How the call arrived, for the audit log's `via`: `api`, or `web` for the management page.
    package var via: String

    /// Creates the request's information.
    package init(authorization: String?, sourceAddress: String, path: String, via: String = "api") {
        self.authorization = authorization
        self.sourceAddress = sourceAddress
        self.path = path
        self.via = via
    }

    @TaskLocal package static var current = RequestInfo(authorization: nil, sourceAddress: "unknown", path: "")
}
