import Foundation
import RotorCrypto
import Synchronization

/// The signed-in sessions, in memory only: a restart signs everyone out.
///
/// Sessions end at their expiry by the control plane's clock (checked at each lookup, and swept
/// then), at sign-out, or when their key stops authenticating. Dropping a session releases its
/// ``SecretBytes``, which wipes the key.
final class SessionStore: Sendable {
    /// How long a session lasts after sign-in.
    let lifetime: TimeInterval
    /// The most sessions kept; signing in beyond it ends the one that expires first.
    let capacity: Int
    private let sessions = Mutex<[String: Session]>([:])

    init(lifetime: TimeInterval, capacity: Int = 1_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// Starts a session for `key` at `now`.
    func start(key: SecretBytes, now: Date) -> Session {
        let session = Session(id: Self.token(), key: key, csrf: Self.token(), expiresAt: now.addingTimeInterval(lifetime))
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expiresAt > now }
            if sessions.count >= capacity, let first = sessions.values.min(by: { $0.expiresAt < $1.expiresAt }) {
                sessions[first.id] = nil
            }
            sessions[session.id] = session
        }
        return session
    }

    /// The live session with cookie value `id`, or nil (an expired one is dropped here).
    func session(_ id: String, now: Date) -> Session? {
        sessions.withLock { sessions in
            guard let session = sessions[id] else { return nil }
            guard session.expiresAt > now else {
                sessions[id] = nil
                return nil
            }
            return session
        }
    }

    /// Ends a session (sign-out, or its key stopped authenticating).
    func end(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// How many sessions are held (expired ones included until they are swept).
    var count: Int { sessions.withLock { $0.count } }

    /// 32 random bytes from the system's CSPRNG, base64url without padding (a cookie-safe token).
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Compares two tokens in time independent of where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
