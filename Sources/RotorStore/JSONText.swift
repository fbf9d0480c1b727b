/// JSON text for the store's batch statements (`json_each(?)`), written directly: a batch of a
/// few hundred rows is encoded per claim, and `JSONEncoder` took a measurable share of a
/// delivery pass's time.
enum JSONText {
    /// `strings` as a JSON array of strings.
    static func array(_ strings: some Sequence<String>) -> String {
        var text = "["
        for (index, string) in strings.enumerated() {
            if index > 0 { text += "," }
            append(string, to: &text)
        }
        return text + "]"
    }

    /// `numbers` as a JSON array of integers.
    static func array(_ numbers: some Sequence<Int64>) -> String {
        "[" + numbers.map(String.init).joined(separator: ",") + "]"
    }

    /// Appends `string` as a JSON string (RFC 8259: quotes, backslashes and control characters
    /// escaped; everything else as is, in UTF-8).
    static func append(_ string: String, to text: inout String) {
        text += "\""
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            text += string
        } else {
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }
}
