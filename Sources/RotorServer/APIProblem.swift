import Foundation

/// An error a handler answers with: an RFC 9457 problem document with a stable `type`.
///
/// `detail` speaks to the caller and never carries a value or a presented key.
struct APIProblem: Error, Sendable, CustomStringConvertible {
    /// The stable identifier, the last part of `https://rotor.dev/problems/<slug>`.
    let slug: String
    let status: Int
    let title: String
    let detail: String
    /// Seconds to wait, for 429 and 503.
    var retryAfter: Int?

    var type: String { "https://rotor.dev/problems/\(slug)" }
    var description: String { "\(status) \(title): \(detail)" }

    static func unauthorized(_ detail: String) -> APIProblem {
        APIProblem(slug: "unauthorized", status: 401, title: "Unauthorized", detail: detail)
    }
    static func forbidden(_ detail: String) -> APIProblem {
        APIProblem(slug: "forbidden", status: 403, title: "Forbidden", detail: detail)
    }
    static func notFound(_ detail: String) -> APIProblem {
        APIProblem(slug: "not-found", status: 404, title: "Not found", detail: detail)
    }
    static func conflict(_ detail: String) -> APIProblem {
        APIProblem(slug: "conflict", status: 409, title: "Conflict", detail: detail)
    }
    static func gone(_ detail: String) -> APIProblem {
        APIProblem(slug: "value-gone", status: 410, title: "Value gone", detail: detail)
    }
    static func invalid(_ detail: String) -> APIProblem {
        APIProblem(slug: "invalid-request", status: 422, title: "Invalid request", detail: detail)
    }
    static func badRequest(_ detail: String) -> APIProblem {
        APIProblem(slug: "bad-request", status: 400, title: "Bad request", detail: detail)
    }
    static func tooManyFailures(retryAfter: Int) -> APIProblem {
        APIProblem(slug: "too-many-failed-authentications", status: 429, title: "Too many failed authentications",
                   detail: "too many requests with a missing or invalid key from this address; retry after \(retryAfter) s",
                   retryAfter: retryAfter)
    }
    static func internalError(_ detail: String) -> APIProblem {
        APIProblem(slug: "internal", status: 500, title: "Internal error", detail: detail)
    }
}
