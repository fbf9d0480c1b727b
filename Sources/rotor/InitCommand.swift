import ArgumentParser
import Foundation
import RotorCore
import RotorEngine

/// `rotor init`: scaffold a secrets repository.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a secrets repository: rotor.yaml, policies/, secrets/, recipients/ and a first commit.")

    @Argument(help: "The folder to create.")
    var path: String

    @Option(help: "A PGP fingerprint every value is encrypted to (repeatable).")
    var recipient: [String] = []

    @Option(help: ArgumentHelp("The commit time, RFC 3339 (default: now).", valueName: "time"))
    var at: String?

    func run() throws {
        try runReporting {
            let keyring = try KeyringFromEnvironment.shared()
            let now = at.flatMap(RFC3339.parse) ?? Date()
            let commit = try Scaffold.create(at: path, recipients: recipient, gpgHome: keyring?.path, now: now)
            emit("Created \(path) (commit \(commit.short)). Next: rotor plan --repo \(path)\n")
        }
    }
}
