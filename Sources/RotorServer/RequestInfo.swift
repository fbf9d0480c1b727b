/// What the HTTP layer knows of the request being handled, for the generated handlers (which see
/// only the contract's parameters): the presented credential and where the request came from.
///
/// Set by ``RequestInfoMiddleware`` around each request; read through ``current``.
struct RequestInfo: Sendable {
    /// The `Authorization` header as sent, if any (never logged).
    var authorization: String?
    /// The peer's address without the port (`127.0.0.1`), or `unknown`.
    var sourceAddress: String
    /// The request's path, for problem documents (`instance`).
    var path: String

    @TaskLocal static var current = RequestInfo(authorization: nil, sourceAddress: "unknown", path: "")
}
