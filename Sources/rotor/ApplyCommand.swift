import ArgumentParser
import Foundation
import RotorCore

/// `rotor apply`: plan, then create, rotate and expire versions; one commit per pass.
struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the plan: new versions encrypted and committed under versions/.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try runReporting {
            let result = try options.engine().apply(now: options.now)
            switch options.format {
            case .json:
                emit(String(decoding: try RotorJSON.encoder().encode(["plan": AnyEncodable(result.plan), "commit": AnyEncodable(result.commit?.hex)]), as: UTF8.self) + "\n")
            case .text, .markdown:
                emit(result.plan.renderText())
                if let commit = result.commit {
                    emit("Committed \(commit.short) on \(options.repo).\n")
                } else if result.plan.hasChanges {
                    emit("No commit needed (warnings recorded).\n")
                }
            }
        }
    }
}
