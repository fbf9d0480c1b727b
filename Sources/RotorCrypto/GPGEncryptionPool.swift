import CGPGME
import Foundation

/// Encrypts or decrypts many values in parallel with one `GPGContext` per worker thread.
///
/// gpgme starts one `gpg` process per operation (~5–10 ms each), so throughput scales with the
/// number of concurrent operations. Each call spreads the items over `workers` threads (the
/// calling thread plus `workers - 1` dedicated `Thread`s, which unlike
/// `DispatchQueue.concurrentPerform` are not capped at the core count), hands out indices
/// dynamically and returns results in input order. Calls on one pool are serialized by a lock,
/// so a pool may be shared between threads.
///
/// Why encryption may use a scratch home: every encrypting `gpg` process rewrites the home's
/// `random_seed` file under an exclusive lock, and libgcrypt waits at least 250 ms when that lock
/// is busy, which made parallel encryption *slower* than sequential (measured). Unless the home's
/// `gpg.conf` already says `no-random-seed-file` (every `TemporaryGPGHome` does), a parallel
/// `encrypt` call exports the recipients' public keys once, imports them into a private
/// `TemporaryGPGHome`, encrypts there and deletes it. Only public keys are copied; the kernel RNG
/// still seeds gpg. Decryption needs the agent and secret keys, so it always uses the real home
/// (it does not write `random_seed`).
// Safe to share unchecked: `contexts` is touched only while `callLock` is held, for a whole call.
public final class GPGEncryptionPool: @unchecked Sendable {
    /// The GnuPG home every context uses (`nil` = `GNUPGHOME` / default).
    public let homeDirectory: String?
    /// The maximum number of concurrent gpg operations.
    public let workers: Int
    private let callLock = NSLock()
    private var contexts: [GPGContext] = []

    /// Creates a pool; contexts are created lazily on first use.
    ///
    /// - Parameters:
    ///   - homeDirectory: The GnuPG home for every context.
    ///   - workers: Concurrent operations (at least 1); defaults to the active processor count.
    public init(homeDirectory: String?, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.homeDirectory = homeDirectory
        self.workers = max(1, workers)
    }

    /// Encrypts every value to all `fingerprints` (`GPGContext.encrypt`, i.e. `gpgme_op_encrypt`).
    ///
    /// - Returns: Armored messages, in the order of `plaintexts`.
    /// - Throws: `GPGError` for an unknown or unusable recipient (naming this pool's home), else
    ///   the error of the lowest-indexed failing value; remaining work is then abandoned.
    public func encrypt(_ plaintexts: [SecretBytes], to fingerprints: [String]) throws -> [String] {
        try callLock.withLock {
            guard !plaintexts.isEmpty else { return [] }
            let threadCount = min(workers, plaintexts.count)
            let home = try contexts(threadCount)
            guard threadCount > 1, !GPGHomeConfiguration.avoidsRandomSeedLock(homeDirectory) else {
                return try map(count: plaintexts.count, on: Array(home.prefix(threadCount))) { context, index in
                    try context.encrypt(plaintexts[index], to: fingerprints)
                }
            }
            let scratch = try TemporaryGPGHome()
            defer { scratch.remove() }
            var scratchContexts: [GPGContext] = []
            defer { scratchContexts.removeAll() }  // release contexts before the home is removed
            scratchContexts.append(try GPGContext(homeDirectory: scratch.path))
            try copyPublicKeys(fingerprints, from: home[0], to: scratchContexts[0])
            while scratchContexts.count < threadCount {
                scratchContexts.append(try GPGContext(homeDirectory: scratch.path))
            }
            return try map(count: plaintexts.count, on: scratchContexts) { context, index in
                try context.encrypt(plaintexts[index], to: fingerprints)
            }
        }
    }

    /// Decrypts every armored message (`GPGContext.decrypt`, i.e. `gpgme_op_decrypt`).
    ///
    /// - Returns: Plaintexts, in the order of `armored`.
    /// - Throws: The error of the lowest-indexed failing message; remaining work is abandoned.
    public func decrypt(_ armored: [String]) throws -> [SecretBytes] {
        try callLock.withLock {
            guard !armored.isEmpty else { return [] }
            let home = try contexts(min(workers, armored.count))
            return try map(count: armored.count, on: home) { context, index in
                try context.decrypt(armored[index])
            }
        }
    }

    /// At least `count` contexts on the pool's home, created on first need; returns the first `count`.
    private func contexts(_ count: Int) throws -> [GPGContext] {
        while contexts.count < count {
            contexts.append(try GPGContext(homeDirectory: homeDirectory))
        }
        return Array(contexts.prefix(count))
    }

    /// Exports the recipients' public keys from `source` and imports them into `destination`.
    ///
    /// Recipients are resolved in `source` first, so unknown fingerprints are reported against
    /// the pool's real home.
    private func copyPublicKeys(_ fingerprints: [String], from source: GPGContext, to destination: GPGContext) throws {
        let keys = try source.recipients(fingerprints)
        let armored = try keys.map { key -> String in
            guard let fingerprint = key.fingerprint else {
                throw GPGError(GPG_ERR_NO_PUBKEY, function: "gpgme_op_export",
                               message: "a recipient key in \(source.homeDescription) has no fingerprint")
            }
            return try source.exportPublicKey(fingerprint: fingerprint)
        }
        _ = try destination.importKeys(armored: armored.joined(separator: "\n"))
    }

    /// Runs `work` for indices `0..<count`, one thread per context, and collects results in order.
    ///
    /// `work` is escaping because the worker `Thread`s may release their closures after
    /// `group.wait()` returns; nothing is executed after that point.
    private func map<T: Sendable>(count: Int, on contexts: [GPGContext],
                                  _ work: @escaping @Sendable (GPGContext, Int) throws -> T) throws -> [T] {
        let state = PoolWork<T>(count: count)
        let worker = { @Sendable (handed: HandedOff) in
            while let index = state.nextIndex() {
                do {
                    state.store(try work(handed.context, index), at: index)
                } catch {
                    state.fail(index: index, error: error)
                }
            }
        }
        let group = DispatchGroup()
        for context in contexts.dropFirst() {
            group.enter()
            let handed = HandedOff(context: context)
            Thread {
                worker(handed)
                group.leave()
            }.start()
        }
        worker(HandedOff(context: contexts[0]))
        group.wait()
        return try state.results()
    }
}

/// A gpgme context on its way to the one worker thread that uses it.
// Safe to share unchecked: each context goes to exactly one thread, which alone uses it until the pool's call returns.
private struct HandedOff: @unchecked Sendable {
    let context: GPGContext
}
