import Foundation

extension PullRequestPlan {
    /// The report as a pull-request comment: summary, warnings, read-access changes, changes by
    /// project, consumers. Never a value.
    public func renderMarkdown() -> String {
        var out = "### rotor plan for this pull request\n\n"
        out += "`\(base.prefix(7))` → `\(head.prefix(7))` at `\(RFC3339.format(now))`: **\(summary())**"
        if let plan = planAtMerge { out += "; at merge: \(plan.hasChanges ? plan.summary() : "no changes")" }
        out += ".\n\n"
        if !diagnostics.isEmpty {
            out += "**❌ The specs do not validate**\n\n```\n" + diagnostics.map(\.description).joined(separator: "\n") + "\n```\n\n"
        }
        if !signatureViolations.isEmpty {
            out += "**❌ Commits without a trusted signature**\n\n" + signatureViolations.map { "- \(Plan.escapeCell($0))\n" }.joined() + "\n"
        }
        if !warnings.isEmpty {
            out += "**⚠️ Warnings**\n\n" + warnings.map { "- \(Plan.escapeCell($0))\n" }.joined() + "\n"
        }
        if !readAccessNotices.isEmpty {
            out += "**🔑 Read access**\n\n" + readAccessNotices.map { "- \(Plan.escapeCell($0))\n" }.joined() + "\n"
        }
        let projects = Dictionary(grouping: changes, by: \.secret.project)
        for project in projects.keys.sorted() {
            out += "#### \(project)\n\n| change | secret | what happens | consumers |\n|---|---|---|---|\n"
            for change in projects[project] ?? [] {
                out += "| \(change.kind.rawValue) | `\(change.resource == .key ? "key " : "")\(change.secret)` | \(Plan.escapeCell(change.summary)) | \(Plan.escapeCell(change.consumers.joined(separator: ", "))) |\n"
            }
            out += "\n"
        }
        let affected = Set(changes.flatMap { $0.consumers + $0.consumersRemoved }).sorted()
        if !affected.isEmpty {
            out += "**Consumers affected:** \(affected.joined(separator: ", "))\n\n"
        }
        if let plan = planAtMerge, plan.hasChanges {
            out += "<details><summary>rotor apply right after merge</summary>\n\n" + plan.renderText().split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)" }.joined(separator: "\n") + "\n</details>\n"
        }
        return out
    }

    /// The report for a terminal.
    public func renderText() -> String {
        var out = "rotor plan \(base.prefix(12))..\(head.prefix(12)) at \(RFC3339.format(now)): \(summary())\n"
        for diagnostic in diagnostics { out += "  \(diagnostic)\n" }
        for violation in signatureViolations { out += "  unsigned: \(violation)\n" }
        for change in changes { out += "  \(change.kind.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)) \(change.resource == .key ? "key " : "")\(change.secret): \(change.summary)\n" }
        for notice in readAccessNotices { out += "  access: \(notice)\n" }
        for warning in warnings { out += "  warning: \(warning)\n" }
        if let plan = planAtMerge { out += "\nAt merge:\n" + plan.renderText() }
        return out
    }

    /// The report as JSON (`formatVersion` 1).
    public func renderJSON() throws -> String {
        String(decoding: try RotorJSON.encoder().encode(self), as: UTF8.self) + "\n"
    }
}
