/// What `rotor --version` prints: the release, and the git commit it was built from when the
/// build knew it (`buildCommit`, written by the BuildInfo plugin).
enum RotorVersion {
    /// The release number.
    static let number = "0.1.0"

    /// `0.1.0 (commit <hex>)`, or the number alone.
    static var text: String { buildCommit.map { "\(number) (commit \($0))" } ?? number }
}
