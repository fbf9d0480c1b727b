/// Orders names as people read them: runs of digits compare by value, so `s2` comes before
/// `s10`, and `payments/db2` before `payments/db10`.
public enum NaturalOrder {
    /// Whether `lhs` sorts before `rhs`.
    public static func less(_ lhs: String, _ rhs: String) -> Bool {
        var left = Array(lhs.utf8)[...], right = Array(rhs.utf8)[...]
        while let a = left.first, let b = right.first {
            if isDigit(a) && isDigit(b) {
                let leftDigits = left.prefix(while: isDigit), rightDigits = right.prefix(while: isDigit)
                let leftValue = leftDigits.drop { $0 == UInt8(ascii: "0") }, rightValue = rightDigits.drop { $0 == UInt8(ascii: "0") }
                if leftValue.count != rightValue.count { return leftValue.count < rightValue.count }
                if !leftValue.elementsEqual(rightValue) { return leftValue.lexicographicallyPrecedes(rightValue) }
                if leftDigits.count != rightDigits.count { return leftDigits.count < rightDigits.count }
                left = left.dropFirst(leftDigits.count)
                right = right.dropFirst(rightDigits.count)
            } else {
                if a != b { return a < b }
                left = left.dropFirst()
                right = right.dropFirst()
            }
        }
        return left.isEmpty && !right.isEmpty
    }

    /// Whether `lhs` sorts before `rhs` by their `project/name` text.
    public static func less(_ lhs: SecretID, _ rhs: SecretID) -> Bool {
        less(lhs.description, rhs.description)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
