import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Remembers, per GnuPG home and recipient set, how to encrypt and the parsed keys.
///
/// Resolving costs two gpg processes per recipient (listing and export), so an apply or a
/// rekey would otherwise pay ~20 ms per recipient each time an `Encryptor` is created. An entry
/// stays valid while the home's keyring files (`pubring.kbx`, `pubring.gpg`, `trustdb.gpg`:
/// inode, size, modification time) are unchanged — an import, a revocation or a disabled key
/// all rewrite one of them — and until the earliest expiry of the keys it uses. The wall clock
/// is used on purpose: gpg decides expiry by the same clock. Thread-safe.
final class NativeRecipientCache: Sendable {
    /// The process-wide cache.
    static let shared = NativeRecipientCache()
    /// Entries kept before the cache starts over (recipient sets are few in practice).
    static let capacity = 64

    private struct Entry {
        var resolution: NativeRecipientResolution
        var stamp: [FileStamp]
    }

    /// What identifies one version of a keyring file; a missing file is all zeros.
    struct FileStamp: Equatable {
        var inode: UInt64 = 0
        var size: Int64 = 0
        var seconds: Int = 0
        var nanoseconds: Int = 0
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The cached resolution for `fingerprints` in `home`, or `resolve()`'s result, remembered.
    ///
    /// The keyring is stamped *before* resolving, so a change made while resolving invalidates
    /// the entry at the next call.
    func resolution(home: String, fingerprints: [String], now: Int = Int(Date().timeIntervalSince1970),
                    resolve: () throws -> NativeRecipientResolution) throws -> NativeRecipientResolution {
        // Without a real directory to watch, a cached decision could outlive a key change.
        guard home.hasPrefix("/") else { return try resolve() }
        let key = home + "\n" + fingerprints.map { $0.uppercased() }.joined(separator: ",")
        return try entries.withLock { entries in
            let stamp = Self.stamp(home)
            if let entry = entries[key], entry.stamp == stamp, entry.resolution.expiresAt.map({ now < $0 }) ?? true {
                return entry.resolution
            }
            let resolution = try resolve()
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[key] = Entry(resolution: resolution, stamp: stamp)
            return resolution
        }
    }

    /// Forgets everything (tests).
    func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    /// The stamps of the keyring files that decide keys and their validity.
    static func stamp(_ home: String) -> [FileStamp] {
        ["pubring.kbx", "pubring.gpg", "trustdb.gpg"].map { name in
            var info = stat()
            guard stat(home + "/" + name, &info) == 0 else { return FileStamp() }
            return FileStamp(inode: UInt64(info.st_ino), size: Int64(info.st_size),
                             seconds: Int(info.st_mtim.tv_sec), nanoseconds: Int(info.st_mtim.tv_nsec))
        }
    }
}
