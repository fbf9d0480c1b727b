
/// YAML 1.1 scalar typing for the few fields that need it, without regular expressions.
///
/// Only plain (unquoted) scalars are booleans, integers or null; `"true"` in quotes is a string.
enum YAMLScalar {
    /// `~`, `null`, or nothing.
    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// `true/false`, `yes/no`, `on/off` in any case.
    static func bool(_ scalar: Node.Scalar) -> Bool? {
        guard scalar.style == .plain else { return nil }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// A decimal integer, optionally signed.
    static func int(_ scalar: Node.Scalar) -> Int? {
        guard scalar.style == .plain else { return nil }
        let text = scalar.string
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
