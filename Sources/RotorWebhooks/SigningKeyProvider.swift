import Crypto
import Foundation

/// Where the worker gets the HMAC keys a consumer's deliveries are signed with.
///
/// The engine's implementation decrypts the live versions of `webhooks/<service>` from git.
public protocol SigningKeyProvider: Sendable {
    /// The keys to sign deliveries to `service` with at `now`: the active one first, then
    /// any still in their grace period. Empty when the service has no signing secret.
    ///
    /// - Throws: An error that names the secret (never its value) when a key cannot be read.
    func signingKeys(for service: String, at now: Date) throws -> [SymmetricKey]

    /// Reads the keys of `services` ahead of their deliveries (several at once where the
    /// provider can). Errors are not thrown here: ``signingKeys(for:at:)`` reports them per delivery.
    func prefetch(_ services: Set<String>, at now: Date)
}

extension SigningKeyProvider {
    public func prefetch(_ services: Set<String>, at now: Date) {
        for service in services { _ = try? signingKeys(for: service, at: now) }
    }
}

/// Fixed keys per service, for tests and for callers that already hold the keys.
public struct StaticSigningKeys: SigningKeyProvider {
    private let keys: [String: [SymmetricKey]]

    /// Creates a provider that answers `keys[service]`.
    public init(_ keys: [String: [SymmetricKey]]) { self.keys = keys }

    public func signingKeys(for service: String, at now: Date) throws -> [SymmetricKey] { keys[service] ?? [] }
}
