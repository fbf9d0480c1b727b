import Foundation

/// A small JSON value, for event payloads whose fields vary by event: written with Foundation's
/// `JSONEncoder` (``StoreJSON``), sorted keys, so the same event always has the same text.
enum JSONValue: Hashable, Encodable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .int(let number): try container.encode(number)
        case .bool(let flag): try container.encode(flag)
        case .null: try container.encodeNil()
        case .array(let items): try container.encode(items)
        case .object(let fields): try container.encode(fields)
        }
    }
}

/// The JSON text the store writes (event payloads, job payloads, audit metadata, the id lists of
/// its batch statements): Foundation's encoder, keys sorted, `/` not escaped.
enum StoreJSON {
    /// `value` as JSON text.
    static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `value` decoded from JSON text; nil when it is not that shape.
    static func value<Value: Decodable>(_ type: Value.Type, from text: String) -> Value? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
