import ArgumentParser
import Foundation
import RotorCore

/// `rotor rekey`: re-encrypt every live version to rotor.yaml's recipients, in one commit.
struct Rekey: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Re-encrypt every live version to the recipients now in rotor.yaml (one atomic commit).")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "List what would be re-encrypted; change nothing.")
    var dryRun = false

    func run() throws {
        try runReporting {
            let result = try options.engine().rekey(now: options.now, dryRun: dryRun)
            reportRepairs(result.repairs)
            for label in result.versions { emit("\(dryRun ? "would re-encrypt" : "re-encrypted") \(label)\n") }
            if let commit = result.commit {
                emit("Committed \(commit.short): \(result.versions.count) version\(result.versions.count == 1 ? "" : "s") re-encrypted.\n")
            } else if result.versions.isEmpty {
                emit("No live versions to re-encrypt.\n")
            }
        }
    }
}
