import Foundation

/// Where a webhook URL points, parsed once per URL: the connection it needs and the request line.
struct WebhookTarget: Sendable {
    /// What a connection is reused for: same scheme, host and port.
    struct Endpoint: Hashable, Sendable {
        let tls: Bool
        /// The host without IPv6 brackets.
        let host: String
        let port: Int
    }

    let endpoint: Endpoint
    /// The path and query, percent-encoded as in the URL (`/` when empty).
    let requestURI: String
    /// The `Host` header: the host (bracketed when IPv6) and a non-default port.
    let hostHeader: String

    /// Parses an `http://` or `https://` URL.
    ///
    /// - Throws: ``WebhookTargetError`` naming what is wrong (no message quotes a password).
    init(url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw WebhookTargetError(message: "not a valid URL")
        }
        guard scheme == "http" || scheme == "https" else { throw WebhookTargetError(message: "not an http:// or https:// URL") }
        // Specs refuse such URLs (they would sit in git in plain text); a job queued before that
        // rule is not sent with them either.
        guard components.user == nil, components.password == nil else {
            throw WebhookTargetError(message: "the URL carries credentials (user:password@), which rotor does not send: receivers check the webhook signature")
        }
        var host = components.percentEncodedHost ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw WebhookTargetError(message: "the URL has no host") }
        let tls = scheme == "https"
        let defaultPort = tls ? 443 : 80
        let port = components.port ?? defaultPort
        guard (1...65_535).contains(port) else { throw WebhookTargetError(message: "the URL's port is out of range") }
        endpoint = Endpoint(tls: tls, host: host, port: port)
        var uri = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { uri += "?" + query }
        requestURI = uri
        let bracketed = host.contains(":") ? "[\(host)]" : host
        hostHeader = port == defaultPort ? bracketed : "\(bracketed):\(port)"
    }
}

/// A webhook URL the client cannot send to.
struct WebhookTargetError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }

    /// A field name that is not an HTTP token, or a CR, LF or NUL where it would end a field
    /// or the head early (in the URL or a field value).
    static let forbiddenCharacter = WebhookTargetError(message: "a header field name or value has a character HTTP forbids")
}
