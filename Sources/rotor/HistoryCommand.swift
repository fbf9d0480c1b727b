import ArgumentParser
import Foundation
import RotorCore
import RotorStore

/// `rotor history`: every version of a secret, expired ones included.
struct History: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every version of a secret: state, created, rotated from, reason.")

    @OptionGroup var options: GlobalOptions

    @OptionGroup var target: TargetArgument


    func run() throws {
        try runReporting {
            let id = target.id
            let records = try options.engine().history(of: id, now: options.now)
            if options.format == .json {
                let rows = records.map { HistoryRow($0) }
                emit(String(decoding: try RotorJSON.encoder().encode(rows), as: UTF8.self) + "\n")
                return
            }
            var table = TextTable(["VERSION", "STATE", "CREATED", "BY", "FROM", "GRACE ENDS", "REASON"])
            for record in records {
                let graceEnd = record.state == "expired" ? record.expiredAt.map { "expired \(RFC3339.format($0))" } : record.graceExpiresAt.map(RFC3339.format)
                table.add(["v\(record.version)", record.state, RFC3339.format(record.createdAt), record.createdBy,
                           record.rotatedFromVersion.map { "v\($0)" } ?? "-", graceEnd ?? "-", record.rotationReason])
            }
            emit("\(id)\n" + table.render())
        }
    }
}

/// The JSON shape of one history row (no value).
struct HistoryRow: Encodable {
    let id: String, version: Int, state: String, active: Bool, createdAt: Date, createdBy: String
    let rotatedFrom: Int?, rotationReason: String, graceExpiresAt: Date?, expiredAt: Date?, source: String, gitCommit: String?
    init(_ record: VersionRecord) {
        id = record.id; version = record.version; state = record.state; active = record.active
        createdAt = record.createdAt; createdBy = record.createdBy; rotatedFrom = record.rotatedFromVersion
        rotationReason = record.rotationReason; graceExpiresAt = record.graceExpiresAt; expiredAt = record.expiredAt
        source = record.source; gitCommit = record.gitCommit
    }
}
