import Foundation

/// What rotor writes into, and reads from, a GnuPG home's `gpg.conf`.
enum GPGHomeConfiguration {
    /// The `gpg.conf` rotor writes into homes it creates.
    ///
    /// `no-random-seed-file`: gpg otherwise rewrites `random_seed` under an exclusive lock after
    /// every encryption, and libgcrypt sleeps ≥ 250 ms whenever that lock is busy, which
    /// serializes parallel encryptions. gpg still seeds its RNG from the kernel.
    static let temporaryHomeOptions = """
        # Written by rotor for a temporary GnuPG home.
        no-random-seed-file

        """

    /// True when `home`'s `gpg.conf` (default home for `nil`) contains `no-random-seed-file`.
    static func avoidsRandomSeedLock(_ home: String?) -> Bool {
        guard let directory = home ?? GPG.dirInfo("homedir"),
              let data = FileManager.default.contents(atPath: directory + "/gpg.conf") else { return false }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).contains { line in
            line.trimmingCharacters(in: .whitespaces) == "no-random-seed-file"
        }
    }
}
