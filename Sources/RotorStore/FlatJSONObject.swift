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
            return reader.object()
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func object() -> [(key: String, value: String)]? {
            var fields: [(key: String, value: String)] = []
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return nil }
            skipSpace()
            if take(UInt8(ascii: "}")) { return end() ? fields : nil }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                guard let value = string() else { return nil }
                fields.append((key, value))
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                return end() ? fields : nil
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
        private mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            // The common case: no escapes, so the value is the bytes between the quotes.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    // (The text is a Swift string, valid UTF-8, cut at ASCII quotes: the slice is valid too.)
                    let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return value
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                index += 1
            }
            return escapedString(from: start)
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
    /// Reads a delivery job's payload: its five fields, each a string; extra fields are ignored.
    /// `nil` when the payload is not such an object (the job cannot be sent).
    static func read(_ text: String) -> DeliveryPayload? {
        if let fields = FlatJSONObject.strings(text) {
            var eventID, eventType, secretID, service, url: String?
            // The first of a repeated key wins, as SQLite's json_extract reads it.
            for (key, value) in fields.reversed() {
                switch key {
                case "event_id": eventID = value
                case "event_type": eventType = value
                case "secret_id": secretID = value
                case "service": service = value
                case "url": url = value
                default: continue
                }
            }
            guard let eventID, let eventType, let secretID, let service, let url else { return nil }
            return DeliveryPayload(eventID: eventID, eventType: eventType, secretID: secretID, service: service, url: url)
        }
        // Another shape (a value that is not a string, say): Foundation decides.
        return try? JSONDecoder().decode(DeliveryPayload.self, from: Data(text.utf8))
    }
}
