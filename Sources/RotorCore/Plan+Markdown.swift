import Foundation

extension Plan {
    /// The plan as a pull-request comment: a summary line and a table of changes.
    public func renderMarkdown() -> String {
        let at = "`\(RFC3339.format(now))`" + (revision.map { " at revision `\($0.prefix(12))`" } ?? "")
        var out = "### rotor plan\n\n"
        guard hasChanges || !notices.isEmpty else {
            return out + "No changes \(at): \(secretCount) secret\(secretCount == 1 ? "" : "s") up to date.\n"
        }
        out += "**\(summary())** — planned for \(at).\n\n"
        if hasChanges {
            out += "| | action | secret | version | reason | consumers |\n|---|---|---|---|---|---|\n"
            for action in actions {
                let cells = [action.kind.symbol, action.kind.rawValue, "`\(Self.target(action))`",
                             Self.versionSuffix(action).trimmingCharacters(in: .whitespaces),
                             action.reason, action.consumers.joined(separator: ", ")]
                out += "| " + cells.map(Self.escapeCell).joined(separator: " | ") + " |\n"
            }
        }
        if !notices.isEmpty {
            out += "\n**Notes**\n\n"
            for notice in notices { out += "- `\(notice.secret)`: \(Self.escapeCell(notice.message))\n" }
        }
        return out
    }

    static func escapeCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
