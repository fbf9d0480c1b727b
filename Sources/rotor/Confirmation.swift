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
