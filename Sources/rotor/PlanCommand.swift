import ArgumentParser
import Foundation
import RotorCore

/// `rotor plan`: what apply would do at `--at`; writes nothing, anywhere.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Show what apply would do. Never writes.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Exit 0 when there are no changes, 2 when there are, 1 on error.")
    var detailedExitcode = false

    @Option(help: "Plan the change a pull request makes: its base revision (git only: no store, no private key).")
    var base: String?

    @Option(help: "With --base: the pull request's head revision (default HEAD).")
    var head: String?

    func validate() throws {
        if head != nil, base == nil { throw ValidationError("--head needs --base") }
    }

    func run() throws {
        try runReporting {
            if let base {
                let report = try options.engine().planPullRequest(base: base, head: head, now: options.now)
                switch options.format {
                case .text: emit(report.renderText())
                case .json: emit(try report.renderJSON())
                case .markdown: emit(report.renderMarkdown())
                }
                if report.isBlocked { throw ExitCode(1) }
                if detailedExitcode, report.hasChanges { throw ExitCode(2) }
                return
            }
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
