import ArgumentParser
import Foundation
import RotorCore

/// `rotor audit`: the append-only, hash-chained audit log.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the audit log, or verify its hash chain.",
                                                    subcommands: [List.self, Verify.self], defaultSubcommand: List.self)

    /// `rotor audit [list]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List audit rows, oldest first.")

        @OptionGroup var options: GlobalOptions

        @Option(help: ArgumentHelp("Only rows at or after this time (RFC 3339).", valueName: "time"))
        var since: String?

        @Option(help: "Only rows with this action (e.g. key.revoked, secret.accessed).")
        var action: String?

        func validate() throws {
            if let since, RFC3339.parse(since) == nil { throw ValidationError("--since must be an RFC 3339 timestamp") }
        }

        func run() throws {
            try runReporting {
                let rows = try options.engine().audit(since: since.flatMap(RFC3339.parse), action: action, now: options.now)
                if options.format == .json {
                    emit(String(decoding: try RotorJSON.encoder().encode(rows), as: UTF8.self) + "\n")
                    return
                }
                var table = TextTable(["SEQ", "AT", "ACTION", "ACTOR", "TARGET", "METADATA"])
                for row in rows { table.add([String(row.seq), RFC3339.format(row.at), row.action, row.actor, row.targetID, row.metadata]) }
                emit(table.render())
            }
        }
    }

    /// `rotor audit verify`: exit 0 when the chain is intact, 1 naming the first bad row.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the hash chain; name the first edited, deleted or reordered row.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            try runReporting {
                if let problem = try options.engine().verifyAudit() {
                    FileHandle.standardError.write(Data("audit log tampered: \(problem)\n".utf8))
                    throw ExitCode(1)
                }
                emit("audit log intact\n")
            }
        }
    }
}
