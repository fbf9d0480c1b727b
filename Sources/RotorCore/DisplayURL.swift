/// URLs as rotor shows them: without the credentials a URL may carry.
///
/// A git remote like `https://x-access-token:TOKEN@host/repo.git` (`rotor daemon --remote`)
/// holds a credential. rotor uses it as written, but every error and log line that names it
/// shows `***` in place of the user and password. (Webhook URLs cannot carry credentials:
/// specs that try are refused.)
public enum DisplayURL {
    /// `url` with its user information replaced by `***`; unchanged when it has none.
    public static func redacted(_ url: String) -> String {
        let bytes = Array(url.utf8)
        // The authority starts after "scheme://" and ends at the first "/", "?" or "#".
        guard let schemeEnd = bytes.firstRange(of: Array("://".utf8))?.upperBound else { return url }
        let authorityEnd = bytes[schemeEnd...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.endIndex
        guard let at = bytes[schemeEnd..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) else { return url }
        return String(decoding: bytes[..<schemeEnd], as: UTF8.self) + "***" + String(decoding: bytes[at...], as: UTF8.self)
    }
}
