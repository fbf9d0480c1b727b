import CGPGME
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A private GnuPG home in a short `mkdtemp` directory (`/tmp/rtg-XXXXXX`, mode 0700).
///
/// For tests and for keys imported from the environment. The path is deliberately short:
/// gpg-agent puts its socket inside the home, and long paths stop it from starting.
/// `init` writes a `gpg.conf` with `no-random-seed-file`, so that parallel encryptions in the
/// home do not queue on gpg's `random_seed` lock (see `GPGEncryptionPool`).
/// `remove()` (also called by `deinit`) stops the home's daemons with
/// `gpgconf --homedir <path> --kill all` and deletes the directory. Thread-safe.
public final class TemporaryGPGHome: Sendable {
    /// The absolute path of the home directory.
    public let path: String
    private let removed = Mutex(false)

    /// Creates the directory (`mkdtemp`, which makes it mode 0700) and its `gpg.conf`.
    ///
    /// - Throws: `GPGError` with the reason if the directory or `gpg.conf` cannot be created.
    /// The parent folder is `TMPDIR` when set and short enough for gpg-agent's socket, else `/tmp`.
    public init() throws {
        let tmpdir = ProcessInfo.processInfo.environment["TMPDIR"].map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        let parent = tmpdir.flatMap { $0.hasPrefix("/") && $0.utf8.count <= 60 ? $0 : nil } ?? "/tmp"
        var template = Array("\(parent)/rtg-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard created else {
            let reason = String(cString: strerror(errno))
            throw GPGError(GPG_ERR_GENERAL, function: "mkdtemp", message: "cannot create a GnuPG home in /tmp: \(reason)")
        }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            try Data(GPGHomeConfiguration.temporaryHomeOptions.utf8)
                .write(to: URL(fileURLWithPath: path + "/gpg.conf"), options: .withoutOverwriting)
        } catch {
            remove()
            throw GPGError(GPG_ERR_GENERAL, function: "TemporaryGPGHome.init",
                           message: "cannot write \(path)/gpg.conf: \(error.localizedDescription)")
        }
    }

    /// Calls `remove()`.
    deinit {
        remove()
    }

    /// Stops gpg-agent (and any other daemon) for this home and deletes the directory. Idempotent.
    public func remove() {
        let first = removed.withLock { removed in
            defer { removed = true }
            return !removed
        }
        guard first else { return }
        killDaemons()
        // The agent may still be unlinking its sockets while we delete: retry a few times.
        for _ in 0..<5 {
            guard FileManager.default.fileExists(atPath: path) else { return }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// `gpgconf --homedir <path> --kill all`; the arguments hold only the path.
    private func killDaemons() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: GPG.dirInfo("gpgconf-name") ?? "/usr/bin/gpgconf")
        process.arguments = ["--homedir", path, "--kill", "all"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            // No gpgconf: nothing was started through it either; deleting the directory still works.
        }
    }
}
