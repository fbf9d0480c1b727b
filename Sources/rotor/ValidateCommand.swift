import ArgumentParser
import Foundation
import RotorCore

/// `rotor validate`: every problem in specs and version files, as `path:line:column`.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check specs and version files; exit 1 listing every error.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Read the files on disk (uncommitted edits included) instead of HEAD.")
    var worktree = false

    @Flag(help: "Read the staged files (what the next commit records): for pre-commit hooks.")
    var staged = false

    func validate() throws {
        if worktree && staged { throw ValidationError("--worktree and --staged exclude each other") }
    }

    func run() throws {
        try runReporting {
            let engine = try options.engine()
            let diagnostics = try engine.validate(from: staged ? .staged : worktree ? .worktree : .head)
            let errors = diagnostics.filter { $0.severity == .error }
            switch options.format {
            case .json:
                emit(String(decoding: try RotorJSON.encoder().encode(["valid": AnyEncodable(errors.isEmpty), "diagnostics": AnyEncodable(diagnostics)]), as: UTF8.self) + "\n")
            case .text, .markdown:
                for diagnostic in diagnostics { emit(diagnostic.description + "\n") }
                emit(errors.isEmpty ? "valid: no errors\n" : "\(errors.count) error\(errors.count == 1 ? "" : "s") found\n")
            }
            if !errors.isEmpty { throw ExitCode(1) }
        }
    }
}

/// Type erasure for mixed JSON objects.
struct AnyEncodable: Encodable {
    private let encodeValue: (Encoder) throws -> Void
    init<T: Encodable>(_ value: T) { encodeValue = value.encode }
    func encode(to encoder: Encoder) throws { try encodeValue(encoder) }
}
