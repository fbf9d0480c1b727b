import ArgumentParser
import Foundation
import RotorCore
import RotorCrypto

/// `rotor keys`: verify presented API keys and see their usage.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "API keys: verify a presented key, show usage.",
                                                    subcommands: [Verify.self, Usage.self])

    /// `rotor keys verify`: is the key on stdin valid? Exit 0 valid, 1 invalid.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read a presented key on stdin; answer valid (exit 0) or invalid (exit 1).")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            try runReporting {
                var input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
                defer { SecureWipe.wipe(&input) }
                while let last = input.last, last == 10 || last == 13 || last == 32 { input.removeLast() }
                let result = try options.engine().verifyKey(SecretBytes(input), now: options.now)
                if options.format == .json {
                    emit(String(decoding: try RotorJSON.encoder().encode(result), as: UTF8.self) + "\n")
                } else if result.valid, let key = result.key {
                    emit("valid: key \(key) v\(result.version ?? 0), type \(result.type ?? "?"), scopes \(result.scopes?.joined(separator: " ") ?? "")"
                         + (result.expiresAt.map { ", valid until \(RFC3339.format($0))" } ?? "") + "\n")
                } else {
                    emit("invalid: \(result.reason ?? "unknown")" + (result.key.map { " (key \($0) v\(result.version ?? 0))" } ?? "") + "\n")
                }
                if !result.valid { throw ExitCode(1) }
            }
        }
    }

    /// `rotor keys usage`: last use and use count per version.
    struct Usage: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each version of a key: state, expiry, last used, use count.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The API key, as project/name.")
        var name: String

        func validate() throws {
            guard SecretID(parsing: name) != nil else { throw ValidationError("the key must be project/name") }
        }

        func run() throws {
            try runReporting {
                guard let id = SecretID(parsing: name) else { return }
                let records = try options.engine().keyUsage(of: id, now: options.now)
                if options.format == .json {
                    emit(String(decoding: try RotorJSON.encoder().encode(records), as: UTF8.self) + "\n")
                    return
                }
                var table = TextTable(["VERSION", "STATE", "HINT", "CREATED", "EXPIRES", "LAST USED", "USES", "SCOPES"])
                for record in records {
                    table.add(["v\(record.version)", record.state, record.hint + "…", RFC3339.format(record.createdAt),
                               (record.endedAt ?? record.expiresAt).map(RFC3339.format) ?? "-", record.lastUsed.map(RFC3339.format) ?? "never",
                               String(record.usageCount), record.scopes.joined(separator: " ")])
                }
                emit("key \(id) (\(records.first?.type ?? "?"))\n" + table.render())
            }
        }
    }
}
