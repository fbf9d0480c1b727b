import Foundation

/// An error a handler answers with: an RFC 9457 problem document with a stable `type`.
///
/// `detail` speaks to the caller and never carries a value or a presented key.
package struct APIProblem: Error, Sendable, CustomStringConvertible {
    /// The stable identifier, the last part of `https://rotor.dev/problems/<slug>`.
    package let slug: String
    package let status: Int
    package let title: String
    package let detail: String
    /// Seconds to wait, for 429 and 503.
    package var retryAfter: Int?

    /// Creates a problem.
    package init(slug: String, status: Int, title: String, detail: String, retryAfter: Int? = nil) {
        self.slug = slug
        self.status = status
        self.title = title
        self.detail = detail
        self.retryAfter = retryAfter
    }

    package var type: String { "https://rotor.dev/problems/\(slug)" }
    package var description: String { "\(status) \(title): \(detail)" }

    package static func unauthorized(_ detail: String) -> APIProblem {
        APIProblem(slug: "unauthorized", status: 401, title: "Unauthorized", detail: detail)
    }
    package static func forbidden(_ detail: String) -> APIProblem {
        APIProblem(slug: "forbidden", status: 403, title: "Forbidden", detail: detail)
    }
    package static func notFound(_ detail: String) -> APIProblem {
        APIProblem(slug: "not-found", status: 404, title: "Not found", detail: detail)
    }
    package static func conflict(_ detail: String) -> APIProblem {
        APIProblem(slug: "conflict", status: 409, title: "Conflict", detail: detail)
    }
    package static func gone(_ detail: String) -> APIProblem {
        APIProblem(slug: "value-gone", status: 410, title: "Value gone", detail: detail)
    }
    package static func invalid(_ detail: String) -> APIProblem {
        APIProblem(slug: "invalid-request", status: 422, title: "Invalid request", detail: detail)
    }
    package static func badRequest(_ detail: String) -> APIProblem {
        APIProblem(slug: "bad-request", status: 400, title: "Bad request", detail: detail)
    }
    package static func tooManyFailures(retryAfter: Int) -> APIProblem {
        APIProblem(slug: "too-many-failed-authentications", status: 429, title: "Too many failed authentications",
                   detail: "too many requests with a missing or invalid key from this address; retry after \(retryAfter) s",
                   retryAfter: retryAfter)
    }
    package static func internalError(_ detail: String) -> APIProblem {
        APIProblem(slug: "internal", status: 500, title: "Internal error", detail: detail)
    }
}
