import HTTPTypes
import RotorAPIContract

/// Which methods each path of the server answers, from the contract itself (plus the paths
/// outside it), so a request with another method is 405 with an `Allow` header, not 404.
struct AllowedMethods: Sendable {
    private let routes: [(segments: [Substring], methods: [String])]

    /// Reads the paths and their operations from the contract the code was generated from.
    static let contract = AllowedMethods(document: OpenAPIDocument.yaml, extra: [
        "/v1/openapi.yaml": ["GET"], "/healthz": ["GET"], "/metrics": ["GET"],
    ])

    init(document: String, extra: [String: [String]]) {
        var routes: [(String, [String])] = extra.map { ($0.key, $0.value) }
        var current: (String, [String])?
        // The document's own layout: a path is a two-space-indented key under `paths:`, its
        // operations four-space-indented method keys.
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                if let current { routes.append(current) }
                current = (String(line.dropFirst(2).dropLast()), [])
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let method = ["get", "put", "post", "delete", "patch"].first(where: { line == "    \($0):" }) {
                current?.1.append(method.uppercased())
            } else if !line.hasPrefix(" "), !line.isEmpty, line != "paths:" {
                if let current { routes.append(current) }
                current = nil
            }
        }
        if let current { routes.append(current) }
        self.routes = routes.map { (path, methods) in (path.split(separator: "/"), methods) }
    }

    /// The methods `path` answers, or nil when no route has that path.
    func methods(for path: String) -> [String]? {
        let segments = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/") } ?? []
        for route in routes where route.segments.count == segments.count {
            if zip(route.segments, segments).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) { return route.methods }
        }
        return nil
    }

    /// Every path template known (for tests).
    var count: Int { routes.count }
}
