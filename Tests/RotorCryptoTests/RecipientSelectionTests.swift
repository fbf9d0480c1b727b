import CGPGME
import Testing
@testable import RotorCrypto

/// The subkey choice (as GnuPG 2.2's `finish_lookup`) and the resolution cache, without gpg.
@Suite struct RecipientSelectionTests {
    private func subkey(_ name: String, created: Int, encrypt: Bool = true, revoked: Bool = false,
                        expired: Bool = false, cv25519: Bool = true) -> GPGKeyListing.Subkey {
        GPGKeyListing.Subkey(fingerprint: name, algorithm: cv25519 ? GPGME_PK_ECDH.rawValue : GPGME_PK_RSA.rawValue,
                             curve: cv25519 ? "cv25519" : nil, canEncrypt: encrypt, revoked: revoked, expired: expired,
                             disabled: false, invalid: false, timestamp: created, expires: 0)
    }

    @Test func newestUsableEncryptionSubkeyWins() {
        let primary = subkey("P", created: 1, encrypt: false)
        let cases: [(GPGKeyListing, String?)] = [
            (GPGKeyListing(subkeys: [primary, subkey("A", created: 2), subkey("B", created: 3)]), "B"),
            (GPGKeyListing(subkeys: [primary, subkey("A", created: 2), subkey("B", created: 3, revoked: true)]), "A"),
            (GPGKeyListing(subkeys: [primary, subkey("A", created: 2), subkey("B", created: 3, expired: true)]), "A"),
            (GPGKeyListing(subkeys: [primary, subkey("A", created: 2), subkey("B", created: 3, encrypt: false)]), "A"),
            (GPGKeyListing(subkeys: [primary, subkey("A", created: 5), subkey("B", created: 5)]), "A"),  // tie: first
            (GPGKeyListing(subkeys: [primary, subkey("A", created: 2, revoked: true)]), nil),
            (GPGKeyListing(subkeys: [subkey("P", created: 1, cv25519: false)]), "P"),  // an encrypting primary key
            (GPGKeyListing(revoked: true, subkeys: [primary, subkey("A", created: 2)]), nil),
            (GPGKeyListing(expired: true, subkeys: [primary, subkey("A", created: 2)]), nil),
            (GPGKeyListing(subkeys: [primary, subkey("R", created: 9, cv25519: false), subkey("A", created: 2)]), "R"),
        ]
        for (index, (listing, expected)) in cases.enumerated() {
            #expect(listing.encryptionSubkey?.fingerprint == expected, "case \(index)")
        }
    }

    @Test func cacheHoldsUntilTheKeyringChangesOrAKeyExpires() throws {
        let cache = NativeRecipientCache()
        let home = try TemporaryGPGHome()
        defer { home.remove() }
        var calls = 0
        let resolve = { () -> NativeRecipientResolution in
            calls += 1
            return NativeRecipientResolution(route: .native, recipients: [], expiresAt: 1000)
        }
        // Cached for the same set, but not for another set
        _ = try cache.resolution(home: home.path, fingerprints: ["A"], now: 10, resolve: resolve)
        _ = try cache.resolution(home: home.path, fingerprints: ["a"], now: 20, resolve: resolve)
        #expect(calls == 1)
        _ = try cache.resolution(home: home.path, fingerprints: ["A", "B"], now: 20, resolve: resolve)
        #expect(calls == 2)
        // A key's expiry ends the entry
        _ = try cache.resolution(home: home.path, fingerprints: ["A"], now: 1000, resolve: resolve)
        #expect(calls == 3)
        // A changed keyring file ends it too
        _ = try GPGContext(homeDirectory: home.path).createKey(userID: "changes <c@rotor.test>")
        _ = try cache.resolution(home: home.path, fingerprints: ["A", "B"], now: 20, resolve: resolve)
        #expect(calls == 4)
    }
}
