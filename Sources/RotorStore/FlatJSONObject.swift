import Foundation

/// Reads a JSON object whose values are all strings (a delivery job's payload, as rotor writes
/// it) straight from its UTF-8 bytes: a claim reads one per job, and asking SQLite for each
/// field parsed the whole payload once per field.
///
/// Anything else (a value that is not a string, a nested object, text that is not JSON) gives
/// `nil`, and the caller reads the payload with Foundation instead: this reader is a fast path,
/// never the last word on what a payload says.
enum FlatJSONObject {
    /// The object's fields, in order; `nil` unless `text` is one JSON object of string values.
    static func strings(_ text: String) -> [(key: String, value: String)]? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = Reader(bytes: bytes)
            var fields: [(key: String, value: String)] = []
            guard reader.object({ key, value in fields.append((string(of: key, in: bytes), string(of: value, in: bytes))) }) else { return nil }
            return fields
        }
    }

    /// The values of the fields named `keys` (the first of a repeated key, as SQLite's
    /// json_extract reads it), in the order asked, `nil` for a missing one; `nil` unless `text`
    /// is one JSON object of string values. Only the values asked for become strings.
    static func values(_ text: String, for keys: [[UInt8]]) -> [String?]? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = Reader(bytes: bytes)
            var values = [String?](repeating: nil, count: keys.count)
            let found = reader.object { key, value in
                guard let index = keys.firstIndex(where: { equals(key, $0, in: bytes) }), values[index] == nil else { return }
                values[index] = string(of: value, in: bytes)
            }
            return found ? values : nil
        }
    }

    /// A JSON string as read: its bytes between the quotes when it holds no escape (the
    /// common case: no copy), else its decoded text.
    enum Token {
        case plain(Range<Int>)
        case decoded(String)
    }

    /// A token's text. (The text is a Swift string, valid UTF-8, cut at ASCII quotes: a plain
    /// token's bytes are valid UTF-8 too.)
    private static func string(of token: Token, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch token {
        case .plain(let range): String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        case .decoded(let text): text
        }
    }

    /// Whether a token's text is `utf8`.
    private static func equals(_ token: Token, _ utf8: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch token {
        case .plain(let range): range.count == utf8.count && bytes[range].elementsEqual(utf8)
        case .decoded(let text): text.utf8.elementsEqual(utf8)
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        /// Reads one object of string values, handing each field to `field`; false when the
        /// text is anything else.
        mutating func object(_ field: (Token, Token) -> Void) -> Bool {
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return false }
            skipSpace()
            if take(UInt8(ascii: "}")) { return end() }
            while true {
                skipSpace()
                guard let key = string() else { return false }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return false }
                skipSpace()
                guard let value = string() else { return false }
                field(key, value)
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return false }
                return end()
            }
        }

        /// Only white space may follow the object.
        private mutating func end() -> Bool {
            skipSpace()
            return index == bytes.count
        }

        private mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A JSON string (RFC 8259 section 7); `nil` when malformed.
        private mutating func string() -> Token? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            // The common case: no escapes, so the value is the bytes between the quotes.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return .plain(start..<index - 1)
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                index += 1
            }
            return escapedString(from: start).map(Token.decoded)
        }

        /// The slow path: a string with escapes, decoded scalar by scalar from `start`.
        private mutating func escapedString(from start: Int) -> String? {
            index = start
            var scalars = String.UnicodeScalarView()
            var plain: [UInt8] = []
            func flushPlain() -> Bool {
                guard !plain.isEmpty else { return true }
                scalars.append(contentsOf: String(decoding: plain, as: UTF8.self).unicodeScalars)
                plain.removeAll(keepingCapacity: true)
                return true
            }
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return flushPlain() ? String(scalars) : nil
                case UInt8(ascii: "\\"):
                    guard flushPlain(), index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        guard let scalar = unicodeEscape() else { return nil }
                        scalars.append(scalar)
                    default: return nil
                    }
                case _ where byte < 0x20:
                    return nil  // control characters must be escaped
                default:
                    plain.append(byte)
                }
            }
            return nil  // no closing quote
        }

        /// After `\u`: four hex digits, and a second escape for a surrogate pair.
        private mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let high = hex4() else { return nil }
            if (0xD800..<0xDC00).contains(high) {
                guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            }
            return Unicode.Scalar(high)  // nil for a lone low surrogate
        }

        private mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Self.hexDigit(bytes[index]) else { return nil }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        private static func hexDigit(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: nil
            }
        }
    }
}

extension DeliveryPayload {
    /// The payload's field names, in the order ``read(_:)`` asks for them.
    private static let fieldNames = [CodingKeys.eventID, .eventType, .secretID, .service, .url].map { Array($0.rawValue.utf8) }

    /// Reads a delivery job's payload: its five fields, each a string; extra fields are ignored.
    /// `nil` when the payload is not such an object (the job cannot be sent).
    static func read(_ text: String) -> DeliveryPayload? {
        if let values = FlatJSONObject.values(text, for: fieldNames) {
            guard let eventID = values[0], let eventType = values[1], let secretID = values[2], let service = values[3],
                  let url = values[4] else { return nil }
            return DeliveryPayload(eventID: eventID, eventType: eventType, secretID: secretID, service: service, url: url)
        }
        // Another shape (a value that is not a string, say): Foundation decides.
        return try? JSONDecoder().decode(DeliveryPayload.self, from: Data(text.utf8))
    }
}
