import Dispatch
import Hummingbird
import Metrics
import Prometheus
import Synchronization

/// The server's metrics: swift-metrics objects backed by a swift-prometheus registry of this
/// server's own (no process-wide bootstrap, so tests run several servers in one process).
///
/// `/metrics` renders the registry. The daemon records its pass metrics through ``factory``
/// into the same registry.
package final class ServerMetrics: Sendable {
    /// The registry `/metrics` renders.
    package let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into ``registry``.
    package let factory: PrometheusMetricsFactory

    private struct RouteKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }
    private let routes = Mutex<[RouteKey: (Metrics.Counter, Metrics.Timer)]>([:])

    /// The `Content-Type` of the exposition.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Creates an empty registry; `durationBuckets` names histogram buckets by metric label.
    package init(durationBuckets: [String: [Duration]] = [:]) {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = durationBuckets
        factory.durationHistogramBuckets["rotor_http_request_duration_seconds"] = [
            .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// Counts one answered request and its latency, by route and status.
    func recordRequest(route: String, method: String, status: Int, nanoseconds: UInt64) {
        let key = RouteKey(route: route, method: method, status: status)
        let (counter, timer) = routes.withLock { routes in
            if let found = routes[key] { return found }
            let made = (Metrics.Counter(label: "rotor_http_requests_total", dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory),
                        Metrics.Timer(label: "rotor_http_request_duration_seconds", dimensions: [("route", route), ("method", method)], factory: factory))
            routes[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// The exposition text.
    package func render() -> String {
        registry.emitToString()
    }
}

/// Records every request in ``ServerMetrics``: the route template (never the path, which names
/// secrets), the method and the status.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            metrics.recordRequest(route: context.endpointPath ?? "unmatched", method: method, status: response.status.code,
                                  nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.recordRequest(route: context.endpointPath ?? "unmatched", method: method, status: status,
                                  nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
            throw error
        }
    }
}
