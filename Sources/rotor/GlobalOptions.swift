import ArgumentParser
import Foundation
import RotorCore
import RotorCrypto
import RotorEngine
import RotorWebhooks

/// Output formats.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}

/// The options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "A path inside the secrets repository.")
    var repo: String = "."

    @Option(name: .long, help: "The state store (default: <repo>/.git/rotor/state.db).")
    var state: String?

    @Option(name: .long, help: ArgumentHelp("The instant to act at, RFC 3339 (default: now).", valueName: "time"))
    var at: String?

    @Option(name: .long, help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text

    func validate() throws {
        if let at, RFC3339.parse(at) == nil {
            throw ValidationError("--at must be an RFC 3339 timestamp such as 2027-01-05T00:00:00Z")
        }
    }

    /// The injected clock: `--at`, or the wall clock. The only place rotor reads it.
    var now: Date { at.flatMap(RFC3339.parse) ?? Date() }

    /// The delivery worker's scheduling clock: stopped at `--at`, or the wall clock.
    var deliveryClock: any DeliveryClock {
        if let instant = at.flatMap(RFC3339.parse) { return FixedDeliveryClock(instant) }
        return SystemDeliveryClock()
    }

    /// Builds the engine, with a private keyring when `ROTOR_GPG_PRIVATE_KEY` is set.
    func engine() throws -> Engine {
        let keyring = try KeyringFromEnvironment.shared()
        return try Engine(repositoryPath: repo, statePath: state, gpgHome: keyring?.path)
    }
}

/// Runs a command body, turning failures into messages on stderr and exit code 1.
func runReporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        throw reported(error)
    }
}

/// The async form of ``runReporting(_:)``.
func runReporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        throw reported(error)
    }
}

/// Prints a failure for people (diagnostics one per line, else `error: …`) and returns the exit code to throw.
private func reported(_ error: Error) -> Error {
    switch error {
    case let exit as ExitCode:
        return exit
    case let failure as ValidationFailure:
        FileHandle.standardError.write(Data((failure.description + "\n").utf8))
    default:
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    }
    return ExitCode(1)
}

/// Tells the person on standard error what a pass repaired before it started (never silently).
func reportRepairs(_ repairs: [String]) {
    for repair in repairs { FileHandle.standardError.write(Data("rotor: repaired: \(repair)\n".utf8)) }
}

/// Writes to standard output.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
