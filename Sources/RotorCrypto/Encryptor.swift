import Foundation
import RotorCore
import Synchronization
import RotorOpenPGP

/// Encrypts values to a recipient set: natively when every recipient's encryption key is a
/// usable cv25519 subkey, else through gpgme — same call, same output format (ASCII-armored
/// `PGP MESSAGE`s in input order).
///
/// The native path (`RotorOpenPGP`) builds the messages in memory, with no gpg process, so a
/// value costs well under a millisecond instead of one gpg process (~5–10 ms). Which keys it
/// covers and which subkey it uses are decided by gpg's own key listing
/// (`NativeRecipientResolver`); any other key type (RSA, NIST curves, Ed448, …), a missing or
/// unusable key, or `ROTOR_NATIVE_PGP=0` in the environment sends the whole batch to
/// `GPGEncryptionPool`, which is also where unusable recipients are reported. Decryption,
/// signing and key handling stay on gpgme.
///
/// Thread-safe: the native path is stateless, the pool serializes its own calls, and the
/// context used for key lookups is behind a `Mutex`.
public final class Encryptor: Sendable {
    /// Set to `0` (or `false`, `no`, `off`) to send every encryption through gpgme.
    public static let environmentVariable = "ROTOR_NATIVE_PGP"

    /// The GnuPG home whose keyring names the recipients (`nil` = `GNUPGHOME` / default).
    public let homeDirectory: String?
    /// False when the native path is switched off and everything goes through gpgme.
    public let nativeEnabled: Bool
    /// Threads for native encryption, and gpg processes for the gpgme fallback.
    public let workers: Int
    private let pool: GPGEncryptionPool
    private let lookupContext = Mutex<GPGContext?>(nil)

    /// Creates an encryptor; nothing touches gpg until the first call.
    ///
    /// - Parameters:
    ///   - homeDirectory: The GnuPG home.
    ///   - workers: Threads for native encryption and gpg processes for the fallback (at least 1).
    ///   - native: `true`/`false` to force the choice; `nil` reads `ROTOR_NATIVE_PGP`.
    public init(homeDirectory: String?, workers: Int = ProcessInfo.processInfo.activeProcessorCount, native: Bool? = nil) {
        self.homeDirectory = homeDirectory
        self.workers = max(1, workers)
        self.nativeEnabled = native ?? Self.nativeAllowed(by: ProcessInfo.processInfo.environment)
        self.pool = GPGEncryptionPool(homeDirectory: homeDirectory, workers: workers)
    }

    /// False when `ROTOR_NATIVE_PGP` is `0`, `false`, `no` or `off` (any case).
    public static func nativeAllowed(by environment: [String: String]) -> Bool {
        guard let value = environment[environmentVariable]?.trimmingCharacters(in: .whitespaces).lowercased() else { return true }
        return !["0", "false", "no", "off"].contains(value)
    }

    /// How `encrypt` would encrypt to `fingerprints` right now, and why.
    ///
    /// - Throws: `GPGError` when gpgme cannot list keys at all.
    public func route(for fingerprints: [String]) throws -> EncryptionRoute {
        try resolution(for: fingerprints).route
    }

    /// Encrypts every value to all `fingerprints`.
    ///
    /// - Parameters:
    ///   - plaintexts: The values; the native path copies them only into scratch buffers it wipes.
    ///   - fingerprints: 40- or 64-hex-digit primary key fingerprints; at least one.
    /// - Returns: Armored messages, in the order of `plaintexts`.
    /// - Throws: `GPGError` from the gpgme path (unknown or unusable recipient, …);
    ///   `OpenPGPError` if a primitive fails on the native path.
    public func encrypt(_ plaintexts: [SecretBytes], to fingerprints: [String]) throws -> [String] {
        guard !plaintexts.isEmpty else { return [] }
        let resolved = try resolution(for: fingerprints)
        guard resolved.route == .native else {
            return try pool.encrypt(plaintexts, to: fingerprints)
        }
        return try Self.encryptNatively(plaintexts, to: resolved.recipients, threads: workers)
    }

    /// The cached or fresh resolution; gpgme when the native path is off.
    private func resolution(for fingerprints: [String]) throws -> NativeRecipientResolution {
        guard nativeEnabled else { return .gpgme("\(Self.environmentVariable)=0") }
        return try lookupContext.withLock { lookupContext in
            let context = try lookupContext ?? GPGContext(homeDirectory: homeDirectory)
            lookupContext = context
            return try NativeRecipientCache.shared.resolution(home: context.homeDescription, fingerprints: fingerprints) {
                try NativeRecipientResolver.resolve(fingerprints, in: context)
            }
        }
    }

    /// Encrypts on up to `threads` threads (`DispatchQueue.concurrentPerform` over contiguous
    /// chunks); results keep input order and the lowest-indexed error wins.
    static func encryptNatively(_ plaintexts: [SecretBytes], to recipients: [CV25519Recipient], threads: Int) throws -> [String] {
        let chunkCount = max(1, min(threads, plaintexts.count / 32))
        let chunkSize = (plaintexts.count + chunkCount - 1) / chunkCount
        var results = [String](repeating: "", count: plaintexts.count)
        var errors = [Error?](repeating: nil, count: chunkCount)
        results.withUnsafeMutableBufferPointer { output in
            errors.withUnsafeMutableBufferPointer { failures in
                let output = DisjointBuffer(output), failures = DisjointBuffer(failures)
                DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                    let range = (chunk * chunkSize)..<min(plaintexts.count, (chunk + 1) * chunkSize)
                    do {
                        for index in range {
                            output[index] = try plaintexts[index].withUnsafeBytes {
                                try OpenPGPMessageEncryptor.encrypt($0, to: recipients)
                            }
                        }
                    } catch {
                        failures[chunk] = error
                    }
                }
            }
        }
        if let error = errors.compactMap({ $0 }).first { throw error }
        return results
    }
}
