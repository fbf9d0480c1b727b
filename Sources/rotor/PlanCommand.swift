import ArgumentParser
import Foundation
import RotorCore

/// `rotor plan`: what apply would do at `--at`; writes nothing, anywhere.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Show what apply would do. Never writes.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Exit 0 when there are no changes, 2 when there are, 1 on error.")
    var detailedExitcode = false

    func run() throws {
        try runReporting {
            let plan = try options.engine().plan(now: options.now)
            switch options.format {
            case .text: emit(plan.renderText())
            case .json: emit(try plan.renderJSON())
            case .markdown: emit(plan.renderMarkdown())
            }
            if detailedExitcode, plan.hasChanges { throw ExitCode(2) }
        }
    }
}
