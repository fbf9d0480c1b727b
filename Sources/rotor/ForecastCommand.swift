import ArgumentParser
import Foundation
import RotorCore

/// `rotor forecast`: the calendar of rotations, warnings and expiries ahead, from git alone.
struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "forecast",
                                                    abstract: "List every rotation, warning and expiry in the next N days (git only).")

    @OptionGroup var options: GlobalOptions

    @Option(help: "How many days ahead.")
    var days: Int = 30

    func validate() throws {
        guard (1...3_660).contains(days) else { throw ValidationError("--days must be between 1 and 3660") }
    }

    func run() throws {
        try runReporting {
            let entries = try options.engine().forecast(now: options.now, days: days)
            switch options.format {
            case .json:
                emit(String(decoding: try RotorJSON.encoder().encode(entries), as: UTF8.self) + "\n")
            case .markdown:
                emit("| when | what | secret | version | consumers |\n|---|---|---|---|---|\n")
                for entry in entries {
                    emit("| \(RFC3339.format(entry.at)) | \(entry.kind.rawValue) | `\(entry.resource == .key ? "key " : "")\(entry.secret)` | v\(entry.version) | \(entry.consumers.joined(separator: ", ")) |\n")
                }
            case .text:
                guard !entries.isEmpty else {
                    emit("Nothing happens in the next \(days) days.\n")
                    return
                }
                var table = TextTable(["WHEN", "WHAT", "SECRET", "VERSION", "CONSUMERS"])
                for entry in entries {
                    table.add([RFC3339.format(entry.at), entry.kind.rawValue, (entry.resource == .key ? "key " : "") + entry.secret.description, "v\(entry.version)",
                               entry.consumers.isEmpty ? "-" : entry.consumers.joined(separator: ",")])
                }
                emit(table.render())
            }
        }
    }
}
