import Foundation

extension Plan {
    /// The plan as JSON (documented in the README; `formatVersion` changes when the shape does).
    public func renderJSON() throws -> String {
        String(decoding: try RotorJSON.encoder().encode(self), as: UTF8.self) + "\n"
    }
}

/// The JSON conventions of rotor's machine-readable output: sorted keys, RFC 3339 dates.
public enum RotorJSON {
    /// An encoder with rotor's conventions.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        return encoder
    }

    /// A decoder matching ``encoder()``.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not RFC 3339: \(text)")
            }
            return date
        }
        return decoder
    }
}
