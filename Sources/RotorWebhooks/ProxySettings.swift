import AsyncHTTPClient
import Foundation

/// Which proxy a webhook request goes through, read from the environment as curl and Go read it:
///
/// - `HTTPS_PROXY` (or `https_proxy`) for `https://` URLs, `HTTP_PROXY` (or `http_proxy`) for
///   `http://` URLs: `http://[user:password@]host[:port]` (no scheme means `http://`; the port
///   defaults to 80). The request is tunnelled with `CONNECT` (TLS to the receiver, when it is
///   `https://`, goes end to end through the tunnel).
/// - `NO_PROXY` (or `no_proxy`): comma-separated hosts that are reached directly: `*` for all,
///   a name for itself and its subdomains (`example.com` and `.example.com` both match
///   `hooks.example.com`), an IP address for itself, each optionally with `:port`.
///
/// The upper-case name wins when both are set. No message quotes a proxy's password.
struct ProxySettings: Sendable {
    let https: Result<HTTPClient.Configuration.Proxy, WebhookTargetError>?
    let http: Result<HTTPClient.Configuration.Proxy, WebhookTargetError>?
    let noProxy: [(host: String, port: Int?)]
    let noProxyAll: Bool

    init(environment: [String: String]) {
        func value(_ name: String) -> String? {
            for key in [name.uppercased(), name.lowercased()] {
                if let found = environment[key]?.trimmingCharacters(in: .whitespaces), !found.isEmpty { return found }
            }
            return nil
        }
        https = value("https_proxy").map { Self.parse($0, variable: "HTTPS_PROXY") }
        http = value("http_proxy").map { Self.parse($0, variable: "HTTP_PROXY") }
        var entries: [(host: String, port: Int?)] = []
        var all = false
        for raw in (value("no_proxy") ?? "").split(separator: ",") {
            var entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if entry.isEmpty { continue }
            if entry == "*" {
                all = true
                continue
            }
            var port: Int?
            // host:port, [v6]:port, [v6]; a bare IPv6 address has more than one colon.
            if entry.hasPrefix("[") {
                if let close = entry.firstIndex(of: "]") {
                    let rest = entry[entry.index(after: close)...]
                    if rest.hasPrefix(":") { port = Int(rest.dropFirst()) }
                    entry = String(entry[entry.index(after: entry.startIndex)..<close])
                }
            } else if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
                port = Int(entry[entry.index(after: colon)...])
                entry = String(entry[..<colon])
            }
            if entry.hasPrefix("*.") { entry.removeFirst(2) }
            if entry.hasPrefix(".") { entry.removeFirst() }
            if !entry.isEmpty { entries.append((entry, port)) }
        }
        noProxy = entries
        noProxyAll = all
    }

    /// The proxy for a request to `host`:`port` (nil: direct), or why the setting cannot be used.
    func proxy(forTLS tls: Bool, host: String, port: Int) -> Result<HTTPClient.Configuration.Proxy?, WebhookTargetError> {
        guard let setting = tls ? https : http else { return .success(nil) }
        if bypasses(host: host, port: port) { return .success(nil) }
        return setting.map { $0 }
    }

    /// Whether `NO_PROXY` sends requests to `host`:`port` directly.
    func bypasses(host: String, port: Int) -> Bool {
        if noProxyAll { return true }
        let host = host.lowercased()
        return noProxy.contains { entry in
            if let entryPort = entry.port, entryPort != port { return false }
            return host == entry.host || host.hasSuffix("." + entry.host)
        }
    }

    /// Parses a proxy URL; the error names the variable, never its value (it may hold a password).
    static func parse(_ text: String, variable: String) -> Result<HTTPClient.Configuration.Proxy, WebhookTargetError> {
        let withScheme = text.contains("://") ? text : "http://" + text
        guard let components = URLComponents(string: withScheme), let scheme = components.scheme?.lowercased() else {
            return .failure(WebhookTargetError(message: "the proxy in \(variable) is not a valid URL"))
        }
        guard scheme == "http" else {
            return .failure(WebhookTargetError(message: "the proxy in \(variable) is not an http:// proxy (rotor speaks to proxies over plain HTTP, with CONNECT)"))
        }
        var host = components.percentEncodedHost ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return .failure(WebhookTargetError(message: "the proxy in \(variable) has no host")) }
        let port = components.port ?? 80
        guard (1...65_535).contains(port) else { return .failure(WebhookTargetError(message: "the proxy in \(variable) has a port out of range")) }
        if let user = components.user {
            return .success(.server(host: host, port: port, authorization: .basic(username: user, password: components.password ?? "")))
        }
        return .success(.server(host: host, port: port))
    }
}
