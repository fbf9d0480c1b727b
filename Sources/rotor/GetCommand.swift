import ArgumentParser
import Foundation
import RotorCore

/// `rotor get`: print a value. The only command that ever prints one, and every read is audited.
struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a secret's value (audited). The active version unless --version.")

    @OptionGroup var options: GlobalOptions

    @OptionGroup var target: TargetArgument

    @Option(help: "A version still live (active or in its grace period).")
    var version: Int?

    @Flag(help: "Print no trailing newline.")
    var noNewline = false

    @Flag(help: "The name is an API key.")
    var key = false


    func run() throws {
        try runReporting {
            let id = target.id
            let engine = try options.engine()
            let value = key ? try engine.getKey(id, version: version, now: options.now) : try engine.get(id, version: version, now: options.now)
            value.withUnsafeBytes { buffer in
                FileHandle.standardOutput.write(Data(buffer))
            }
            if !noNewline { emit("\n") }
        }
    }
}
