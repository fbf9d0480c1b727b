import CGit2

/// A git object id (SHA-1), held as 40 lowercase hex characters.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The 40-character lowercase hexadecimal form.
    public let hex: String

    /// Parses a full 40-character hex id (either case); nil if it is not one.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 40, utf8.allSatisfy(ObjectID.isHexDigit) else { return nil }
        self.hex = hex.lowercased()
    }

    /// The abbreviated 7-character form, as `git log --oneline` shows it.
    public var short: String { String(hex.prefix(7)) }

    /// The hex form.
    public var description: String { hex }

    /// Decodes from a single hex string.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = ObjectID(hex: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a 40-character hex object id: \(text)")
        }
        self = id
    }

    /// Encodes as a single hex string.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    // MARK: - Bridging to git_oid (internal)

    /// Copies the 20 raw bytes out of a `git_oid`, formatting them in Swift.
    init(_ oid: git_oid) {
        self.hex = withUnsafeBytes(of: oid.id) { raw in
            String(unsafeUninitializedCapacity: 40) { out in
                for (index, byte) in raw.enumerated() {
                    out[2 * index] = ObjectID.hexDigits[Int(byte >> 4)]
                    out[2 * index + 1] = ObjectID.hexDigits[Int(byte & 0x0f)]
                }
                return 40
            }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Copies the id a C function handed out as a pointer.
    /// - Throws: `GitError` if the pointer is NULL.
    init(_ pointer: UnsafePointer<git_oid>?, _ function: String) throws {
        guard let pointer else { throw GitError.unexpectedNull(function) }
        self.init(pointer.pointee)
    }

    /// The raw `git_oid`, parsed in Swift (the hex is validated at construction).
    var oid: git_oid {
        var result = git_oid()
        let chars = Array(hex.utf8)
        withUnsafeMutableBytes(of: &result.id) { raw in
            for index in 0..<20 {
                raw[index] = ObjectID.nibble(chars[2 * index]) << 4 | ObjectID.nibble(chars[2 * index + 1])
            }
        }
        return result
    }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
    }

    private static func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        default: return c - 55
        }
    }
}
