import ArgumentParser
import Foundation
import RotorCore

/// `rotor status`: every secret's version, last rotation, next due date and consumers.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Every secret: version, last rotated, next due, consumers. Rebuilds a missing store from git.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try runReporting {
            let now = options.now
            let rows = try options.engine().status(now: now)
            if options.format == .json {
                emit(String(decoding: try RotorJSON.encoder().encode(rows), as: UTF8.self) + "\n")
                return
            }
            var table = TextTable(["SECRET", "VERSION", "LAST ROTATED", "NEXT DUE", "GRACE", "CONSUMERS"])
            for row in rows {
                let due = row.nextDue.map { ($0 <= now ? "OVERDUE " : "") + RFC3339.format($0) } ?? (row.activeVersion == nil ? "not created" : "manual")
                table.add([(row.resource == .key ? "key " : "") + row.secret.description, row.activeVersion.map { "v\($0)" } ?? "-", row.lastRotated.map(RFC3339.format) ?? "-",
                           due, row.graceVersions.isEmpty ? "-" : row.graceVersions.map { "v\($0)" }.joined(separator: ","),
                           row.consumers.isEmpty ? "-" : row.consumers.joined(separator: ",")])
            }
            emit(table.render())
        }
    }
}
