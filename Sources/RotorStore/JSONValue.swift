import Foundation
import RotorCore

/// A small JSON value with a deterministic serialization (sorted keys), for event payloads.
enum JSONValue: Hashable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    func serialized() -> String {
        switch self {
        case .string(let text): return Self.quote(text)
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map { $0.serialized() }.joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.keys.sorted().map { "\(Self.quote($0)):\(fields[$0]!.serialized())" }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (rotor's one quoting function; its output is valid JSON and YAML).
    static func quote(_ text: String) -> String { YAMLQuoting.doubleQuoted(text) }
}
