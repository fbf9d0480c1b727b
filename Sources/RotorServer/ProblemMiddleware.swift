import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import RotorEngine

/// Turns every error a handler throws, and every request the generated code could not decode,
/// into an RFC 9457 problem document (`application/problem+json`) with a stable `type`.
///
/// Errors rotor did not classify are 500 with no detail for the caller; they are logged (rotor's
/// errors never carry a value or a presented key).
struct ProblemMiddleware: ServerMiddleware {
    let logger: Logger

    func intercept(_ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?))
        async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch {
            let problem = classify(error, operationID: operationID)
            return Self.response(problem, path: request.path ?? "")
        }
    }

    private func classify(_ error: any Error, operationID: String) -> APIProblem {
        guard let server = error as? ServerError else { return unexpected(error, operationID: operationID) }
        if let problem = server.underlyingError as? APIProblem { return problem }
        if (400..<500).contains(server.httpStatus.code) || server.operationInput == nil {
            // The request did not match the contract (a parameter, a header or the body).
            return .badRequest("the request does not match the contract of \(operationID): \(server.causeDescription)")
        }
        return unexpected(server.underlyingError, operationID: operationID)
    }

    private func unexpected(_ error: any Error, operationID: String) -> APIProblem {
        logger.error("request failed", metadata: ["operation": "\(operationID)", "error": "\(error)"])
        return .internalError("\(operationID) failed; the server's log has the cause")
    }

    /// The HTTP response carrying `problem`.
    static func response(_ problem: APIProblem, path: String) -> (HTTPResponse, HTTPBody?) {
        let (response, body) = encoded(problem, path: path)
        return (response, HTTPBody(body))
    }

    /// The head and JSON body of a problem response.
    static func encoded(_ problem: APIProblem, path: String) -> (HTTPResponse, Data) {
        let document = ProblemDocument(type: problem.type, title: problem.title, status: problem.status, detail: problem.detail,
                                       instance: path.split(separator: "?", maxSplits: 1).first.map(String.init))
        let body = (try? JSONEncoder().encode(document)) ?? Data("{}".utf8)
        var response = HTTPResponse(status: .init(code: problem.status))
        response.headerFields[.contentType] = "application/problem+json"
        response.headerFields[.cacheControl] = "no-store"
        if let retryAfter = problem.retryAfter { response.headerFields[.retryAfter] = String(retryAfter) }
        return (response, body)
    }
}

/// The JSON of a problem document.
struct ProblemDocument: Codable, Sendable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    let instance: String?
}
