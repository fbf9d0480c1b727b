import HTTPTypes
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
    /// The paths the server answers and their methods.
    let allowed: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let info = RequestInfo(authorization: request.headers[.authorization], sourceAddress: context.remoteAddress?.ipAddress ?? "unknown",
                               path: request.uri.path)
        var response: Response
        do {
            response = try await RequestInfo.$current.withValue(info) { try await next(request, context) }
        } catch let error as HTTPError where error.status == .notFound {
            // A known path with another method: 405 naming the ones it answers.
            guard let allowed = self.allowed.methods(for: request.uri.path), !allowed.contains(request.method.rawValue) else { throw error }
            let (head, body) = ProblemMiddleware.encoded(
                APIProblem(slug: "method-not-allowed", status: 405, title: "Method not allowed",
                           detail: "\(request.uri.path) answers \(allowed.joined(separator: ", "))"), path: request.uri.path)
            var headers = head.headerFields
            headers[.allow] = allowed.joined(separator: ", ")
            response = Response(status: head.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        // Nothing the server answers may be cached by a shared cache or framed by another site.
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
