import Foundation

/// Where a webhook URL points, parsed and checked once per URL: what rotor refuses to send to,
/// and the endpoint (whether it needs TLS, and the host and port a proxy is chosen by).
struct WebhookTarget: Sendable {
    /// Scheme, host and port.
    struct Endpoint: Hashable, Sendable {
        let tls: Bool
        /// The host without IPv6 brackets.
        let host: String
        let port: Int
    }

    let endpoint: Endpoint

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
    }
}

/// A webhook URL the client cannot send to.
struct WebhookTargetError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }

    /// A field name that is not an HTTP token, or a CR, LF or NUL in a field value, where it
    /// would end the field or the head early.
    static let forbiddenCharacter = WebhookTargetError(message: "a header field name or value has a character HTTP forbids")
}
