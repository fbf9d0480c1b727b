import Foundation

extension Plan {
    /// The plan as people read it in a terminal.
    public func renderText() -> String {
        let at = "at \(RFC3339.format(now))" + (revision.map { " (revision \($0.prefix(12)))" } ?? "")
        guard hasChanges || !notices.isEmpty else {
            return "No changes \(at). \(secretCount) secret\(secretCount == 1 ? "" : "s") up to date.\n"
        }
        var out = "rotor plan \(at)\n\n"
        for action in actions {
            out += "  \(action.kind.symbol) \(action.kind.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(Self.target(action))\(Self.versionSuffix(action)): \(action.reason)\n"
            if action.kind == .rotate, let from = action.fromVersion, let grace = action.graceExpiresAt, grace > now {
                let period = action.resource == .key ? "overlap" : "grace period"
                out += "              v\(from) stays valid in its \(period) until \(RFC3339.format(grace))\n"
            }
            if !action.consumers.isEmpty {
                out += "              consumers: \(action.consumers.joined(separator: ", "))\n"
            }
        }
        for notice in notices {
            out += "  note: \(notice.secret): \(notice.message)\n"
        }
        out += "\nPlan: \(summary()).\n"
        return out
    }

    /// `1 to create, 2 to rotate, …` over every kind.
    public func summary() -> String {
        PlanAction.Kind.allCases.map { "\(count($0)) to \($0.rawValue)" }.joined(separator: ", ")
    }

    /// `payments/db` for a secret, `key payments/api` for an API key.
    public static func target(_ action: PlanAction) -> String {
        action.resource == .key ? "key \(action.secret)" : action.secret.description
    }

    /// ` v1 → v2` style version text for one action.
    public static func versionSuffix(_ action: PlanAction) -> String {
        switch action.kind {
        case .create, .warn, .expire, .revoke: return action.version.map { " v\($0)" } ?? ""
        case .rotate: return " v\(action.fromVersion ?? 0) → v\(action.version ?? 0)"
        case .delete: return ""
        }
    }
}
