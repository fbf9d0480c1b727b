import Foundation

extension Plan {
    /// What rotating an API key does, for the person about to do it: the overlap, and the
    /// services that must switch to the new key (the blast radius).
    public func keyRotationExplanation() -> String {
        var out = ""
        for action in actions where action.kind == .rotate {
            out += "Rotating key \(action.secret) v\(action.fromVersion ?? 0) → v\(action.version ?? 0).\n"
            if let until = action.graceExpiresAt {
                out += "The current key keeps working until \(RFC3339.format(until)) (its overlap); after that only the new key is valid.\n"
            }
            out += action.consumers.isEmpty ? "No services are declared as consumers.\n"
                : "Services that must switch to the new key (blast radius): \(action.consumers.joined(separator: ", ")).\n"
        }
        for action in actions where action.kind == .create {
            out += "Issuing a new key \(action.secret) v\(action.version ?? 1) (no valid version exists).\n"
        }
        for notice in notices { out += "note: \(notice.message)\n" }
        return out
    }
}
