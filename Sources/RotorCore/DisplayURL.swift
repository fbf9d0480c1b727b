import Foundation

/// URLs as rotor shows them: without the credentials a URL may carry.
///
/// A git remote like `https://x-access-token:TOKEN@host/repo.git` (`rotor daemon --remote`)
/// holds a credential. rotor takes it out of the URL before the URL is stored or shown (see
/// ``withoutCredential(_:)``), and every error and log line that names such a URL shows `***`
/// in place of the user and password. (Webhook URLs cannot carry credentials: specs that try
/// are refused.)
public enum DisplayURL {
    /// `url` with its user information replaced by `***`; unchanged when it has none.
    public static func redacted(_ url: String) -> String {
        let bytes = Array(url.utf8)
        guard let (schemeEnd, at) = userInfo(bytes) else { return url }
        return String(decoding: bytes[..<schemeEnd], as: UTF8.self) + "***" + String(decoding: bytes[at...], as: UTF8.self)
    }

    /// `url` without the user and password it carries, and that credential (percent-decoded),
    /// or `url` unchanged and nil when it carries no password (a user name alone is no secret
    /// and stays, as in `ssh://git@host/repo.git`).
    public static func withoutCredential(_ url: String) -> (url: String, credential: URLCredential?) {
        let bytes = Array(url.utf8)
        guard let (schemeEnd, at) = userInfo(bytes),
              let colon = bytes[schemeEnd..<at].firstIndex(of: UInt8(ascii: ":")) else { return (url, nil) }
        let credential = URLCredential(user: percentDecoded(bytes[schemeEnd..<colon]), password: percentDecoded(bytes[(colon + 1)..<at]))
        return (String(decoding: bytes[..<schemeEnd], as: UTF8.self) + String(decoding: bytes[(at + 1)...], as: UTF8.self), credential)
    }

    /// Where the user information of `scheme://user:password@host/…` starts (after `://`) and
    /// where its `@` is; nil when the URL has none. The authority ends at the first `/`, `?` or
    /// `#`, and the last `@` in it ends the user information (a password may not hold a raw `@`,
    /// but be lenient to those that do).
    private static func userInfo(_ bytes: [UInt8]) -> (start: Int, at: Int)? {
        guard let schemeEnd = bytes.firstRange(of: Array("://".utf8))?.upperBound else { return nil }
        let authorityEnd = bytes[schemeEnd...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.endIndex
        guard let at = bytes[schemeEnd..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) else { return nil }
        return (schemeEnd, at)
    }

    /// `%XX` sequences decoded; text with a malformed one is kept as written.
    private static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.removingPercentEncoding ?? text
    }
}

/// A user and password taken out of a URL: kept in memory, never written or shown.
public struct URLCredential: Sendable, Equatable {
    public let user: String
    public let password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }
}

extension URLCredential: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never the password: `user:***`.
    public var description: String { "\(user):***" }
    public var debugDescription: String { description }
}
