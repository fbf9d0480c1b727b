import Foundation

/// A length of time written the way people write it in specs: `30d`, `24h`, `1h30m`, `2w`, `90s`.
public struct RotorDuration: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// The length in whole seconds.
    public let seconds: Int64

    /// Creates a duration of `seconds` seconds.
    public init(seconds: Int64) { self.seconds = seconds }

    private static let units: [(Character, Int64)] = [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// Parses one or more `<number><unit>` groups with units w, d, h, m, s; nil when it does not parse.
    public init?(parsing text: String) {
        var total: Int64 = 0
        var digits = ""
        var sawGroup = false
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                guard digits.count <= 9 else { return nil }
            } else if let unit = Self.units.first(where: { $0.0 == character }) {
                guard let number = Int64(digits) else { return nil }
                total += number * unit.1
                digits = ""
                sawGroup = true
            } else {
                return nil
            }
        }
        guard sawGroup, digits.isEmpty, total <= 100 * 366 * 86_400 else { return nil }
        self.seconds = total
    }

    /// The canonical text form, largest units first (`1d2h`); `0s` for zero.
    public var description: String {
        guard seconds > 0 else { return "0s" }
        var rest = seconds
        var text = ""
        for (unit, size) in Self.units where unit != "w" {
            if rest >= size {
                text += "\(rest / size)\(unit)"
                rest %= size
            }
        }
        return text
    }

    /// The duration as a `TimeInterval`.
    public var timeInterval: TimeInterval { TimeInterval(seconds) }

    public static func < (lhs: RotorDuration, rhs: RotorDuration) -> Bool { lhs.seconds < rhs.seconds }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let duration = RotorDuration(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a duration: \(text)"))
        }
        self = duration
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
