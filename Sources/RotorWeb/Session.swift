import Foundation
import RotorCrypto
import Synchronization

/// One signed-in browser: the API key it signed in with (in wiped memory), its CSRF token and
/// when it ends. Every page it opens presents the key to the control plane's handlers again, so a
/// key revoked or rotated out mid-session ends the session at its next request.
final class Session: Sendable {
    /// The cookie's value: 32 random bytes, base64url.
    let id: String
    /// The key, as typed at sign-in; wiped when the session is dropped (``SecretBytes``' `deinit`).
    let key: SecretBytes
    /// The token every form of this session carries (32 random bytes, base64url).
    let csrf: String
    /// When the session ends, by the control plane's clock.
    let expiresAt: Date
    /// Messages for the next page this session opens (shown once).
    private let flashes = Mutex<[Flash]>([])

    init(id: String, key: SecretBytes, csrf: String, expiresAt: Date) {
        self.id = id
        self.key = key
        self.csrf = csrf
        self.expiresAt = expiresAt
    }

    /// The `Authorization` header the handlers read. A copy of the key in an ordinary `String`,
    /// for the duration of one handler call: ``RequestInfo`` carries the header as the API does.
    var authorization: String {
        key.withUnsafeBytes { "Bearer " + String(decoding: $0, as: UTF8.self) }
    }

    /// Keeps `flash` for the next page.
    func add(_ flash: Flash) {
        flashes.withLock { $0.append(flash) }
    }

    /// The messages kept for this page, forgetting them.
    func takeFlashes() -> [Flash] {
        flashes.withLock { flashes in
            defer { flashes = [] }
            return flashes
        }
    }
}
