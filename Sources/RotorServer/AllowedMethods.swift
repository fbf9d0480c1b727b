import HTTPTypes
import OpenAPIRuntime
import RotorAPIContract
import Synchronization

/// Which methods each path of the server answers, so a request with another method is 405 with
/// an `Allow` header, not 404. The API's routes are taken from the generated code itself (what
/// it registers), so they can never disagree with the handlers.
struct AllowedMethods: Sendable {
    private let routes: [(segments: [Substring], methods: [String])]

    /// The routes `api` registers, plus `extra` (the paths outside the contract).
    init(api: (any APIProtocol)?, extra: [String: [String]]) throws {
        let recorder = RouteRecorder()
        try api?.registerHandlers(on: recorder)
        var methods = extra
        for (method, path) in recorder.routes.withLock({ $0 }) { methods[path, default: []].append(method) }
        routes = methods.map { (path, methods) in (path.split(separator: "/"), methods) }
    }

    /// The methods `path` answers, or nil when no route has that path.
    func methods(for path: String) -> [String]? {
        let segments = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/") } ?? []
        for route in routes where route.segments.count == segments.count {
            if zip(route.segments, segments).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) { return route.methods }
        }
        return nil
    }

    /// How many paths are known (for tests).
    var count: Int { routes.count }
}

/// A transport that only writes down what the generated code registers.
private final class RouteRecorder: ServerTransport, Sendable {
    let routes = Mutex<[(method: String, path: String)]>([])

    func register(_ handler: @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
                  method: HTTPRequest.Method, path: String) throws {
        routes.withLock { $0.append((method.rawValue, path)) }
    }
}
