import Foundation
import OpenAPIRuntime
import RotorCore

/// Dates in the API as rotor writes them everywhere (RFC 3339, UTC, whole seconds), read with
/// or without fractional seconds and with any offset, as RFC 3339 allows.
struct RFC3339DateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String { RFC3339.format(date) }

    func decode(_ text: String) throws -> Date {
        guard let date = RFC3339.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not an RFC 3339 date-time: \(text.prefix(40))"))
        }
        return date
    }
}
