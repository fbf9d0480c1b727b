/// Another rotor process holds the state store's lock (see ``StateLock``).
///
/// Not a failure of this process: the holder is doing the work. The daemon reports it in its
/// logs and health and tries again at the next interval.
public struct StateLockHeld: Error, CustomStringConvertible, Sendable {
    /// Who holds it, as the holder wrote it: `pid N on HOST since TIME`.
    public let holder: String
    /// The lock file.
    public let path: String

    /// Creates the error.
    public init(holder: String, path: String) {
        self.holder = holder
        self.path = path
    }

    /// `another rotor is applying to this state store (pid N on HOST since TIME); lock: PATH`.
    public var description: String {
        "another rotor is applying to this state store (\(holder)); lock: \(path)"
    }
}
