import ArgumentParser
import Foundation
import RotorCore

/// `rotor consumers`: the services that use a secret — the blast radius of rotating it.
struct Consumers: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the services that use a secret (rotation blast radius).")

    @OptionGroup var options: GlobalOptions

    @OptionGroup var target: TargetArgument


    func run() throws {
        try runReporting {
            let id = target.id
            let consumers = try options.engine().consumers(of: id, now: options.now)
            if options.format == .json {
                struct Row: Encodable { let service: String; let webhook: String?; let lastUsedAt: Date? }
                emit(String(decoding: try RotorJSON.encoder().encode(consumers.map { Row(service: $0.service, webhook: $0.webhookURL, lastUsedAt: $0.lastUsedAt) }), as: UTF8.self) + "\n")
                return
            }
            guard !consumers.isEmpty else {
                emit("\(id) has no consumers declared.\n")
                return
            }
            var table = TextTable(["SERVICE", "WEBHOOK", "LAST USED"])
            for consumer in consumers {
                table.add([consumer.service, consumer.webhookURL ?? "-", consumer.lastUsedAt.map(RFC3339.format) ?? "never recorded"])
            }
            emit("\(id): \(consumers.count) consumer\(consumers.count == 1 ? "" : "s") affected by a rotation\n" + table.render())
        }
    }
}
