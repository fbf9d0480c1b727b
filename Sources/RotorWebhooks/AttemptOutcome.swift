import Foundation

/// What one delivery attempt came back with.
public enum AttemptOutcome: Hashable, Sendable {
    /// The receiver answered with an HTTP status (and, maybe, a `Retry-After` header).
    case response(status: Int, retryAfter: String?)
    /// No complete answer within the request timeout.
    case timedOut(seconds: Double)
    /// The request could not be made or was cut off: connection refused, reset, DNS, TLS.
    case transportError(String)

    /// Whether the receiver accepted the delivery (any 2xx).
    public var isSuccess: Bool {
        if case .response(let status, _) = self { return (200..<300).contains(status) }
        return false
    }

    /// The HTTP status, when there was one.
    public var statusCode: Int? {
        if case .response(let status, _) = self { return status }
        return nil
    }

    /// A short account for `rotor jobs show` and error messages; `url` names the endpoint.
    public func describe(url: String) -> String {
        switch self {
        case .response(let status, _):
            return "POST \(url) answered \(status) \(Self.reason(status))"
        case .timedOut(let seconds):
            return "POST \(url) got no answer within \(Self.format(seconds)) (request timeout)"
        case .transportError(let message):
            return "POST \(url) failed: \(message)"
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format: "%.1fs", seconds)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 408: return "Request Timeout"
        case 410: return "Gone"
        case 413: return "Payload Too Large"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return (200..<300).contains(status) ? "Success" : "(HTTP \(status))"
        }
    }
}
