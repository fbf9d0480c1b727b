import ArgumentParser
import Foundation
import RotorCore
#if canImport(Glibc)
import Glibc
#endif

/// Asks before a change that affects services holding a key; `--yes` answers for scripts.
enum Confirmation {
    /// Returns when confirmed; throws otherwise (exit 1).
    static func require(yes: Bool, question: String) throws {
        if yes { return }
        guard isatty(STDIN_FILENO) == 1 else {
            FileHandle.standardError.write(Data("error: this needs confirmation: run it on a terminal or pass --yes\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else {
            FileHandle.standardError.write(Data("Not rotated.\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// The explanation shown before a key rotation: the overlap and the services that must switch.
enum KeyRotationWarning {
    static func text(_ plan: Plan) -> String {
        var out = ""
        for action in plan.actions where action.kind == .rotate {
            out += "Rotating key \(action.secret) v\(action.fromVersion ?? 0) → v\(action.version ?? 0).\n"
            if let until = action.graceExpiresAt {
                out += "The current key keeps working until \(RFC3339.format(until)) (its overlap); after that only the new key is valid.\n"
            }
            out += action.consumers.isEmpty ? "No services are declared as consumers.\n"
                : "Services that must switch to the new key (blast radius): \(action.consumers.joined(separator: ", ")).\n"
        }
        for action in plan.actions where action.kind == .create {
            out += "Issuing a new key \(action.secret) v\(action.version ?? 1) (no valid version exists).\n"
        }
        for notice in plan.notices { out += "note: \(notice.message)\n" }
        return out
    }
}
