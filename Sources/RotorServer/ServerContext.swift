import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage and the peer's address (for the
/// failed-authentication limit and the audit log).
package struct ServerContext: RequestContext, RemoteAddressRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let remoteAddress: SocketAddress?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Makes the request's credential, address and path visible to the generated handlers
/// (``RequestInfo``), and sets the headers every answer carries.
struct RequestInfoMiddleware: RouterMiddleware {
    typealias Context = ServerContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let info = RequestInfo(authorization: request.headers[.authorization], sourceAddress: context.remoteAddress?.ipAddress ?? "unknown",
                               path: request.uri.path)
        var response = try await RequestInfo.$current.withValue(info) { try await next(request, context) }
        // Nothing the server answers may be cached by a shared cache or framed by another site.
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
