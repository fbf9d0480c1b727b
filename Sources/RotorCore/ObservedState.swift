import Foundation

/// What exists now: the version files in git, plus what only the store knows.
public struct ObservedState: Sendable {
    /// Version files by secret, as read from git.
    public var versionFiles: [SecretID: VersionFile]
    /// Ids of grace versions whose expiry warning has already been recorded.
    public var warnedVersionIDs: Set<String>
    /// The highest version number each secret ever had (the store keeps expired history; git does not).
    public var highestVersionEver: [SecretID: Int]

    /// API key version files by key, as read from git.
    public var keyFiles: [SecretID: KeyVersionFile]
    /// The highest version each API key ever had (the store keeps what git dropped).
    public var highestKeyVersionEver: [SecretID: Int] = [:]

    /// Creates an observed state; with no store, only the files in git are known.
    public init(versionFiles: [SecretID: VersionFile], warnedVersionIDs: Set<String> = [],
                highestVersionEver: [SecretID: Int] = [:], keyFiles: [SecretID: KeyVersionFile] = [:]) {
        self.versionFiles = versionFiles
        self.warnedVersionIDs = warnedVersionIDs
        self.highestVersionEver = highestVersionEver
        self.keyFiles = keyFiles
    }

    /// The number the next version of `secret` gets.
    public func nextVersion(of secret: SecretID) -> Int {
        max(versionFiles[secret]?.maxVersion ?? 0, highestVersionEver[secret] ?? 0) + 1
    }
}
