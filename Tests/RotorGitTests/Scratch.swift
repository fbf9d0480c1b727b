import Foundation
import Testing
@testable import RotorGit

/// A throwaway directory under /tmp (short name), removed when the test's closure returns.
func withScratchDir(_ body: (String) throws -> Void) throws {
    var template = Array("/tmp/rg-XXXXXX".utf8CString)
    let dir = try template.withUnsafeMutableBufferPointer { buffer -> String in
        guard let base = buffer.baseAddress, let made = mkdtemp(base) else { throw ScratchError.mkdtemp }
        return String(cString: made)
    }
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try body(dir)
}

/// A fresh non-bare repository (branch main) in a throwaway directory.
func withScratchRepo(_ body: (GitRepository, String) throws -> Void) throws {
    try withScratchDir { dir in
        let repo = try GitRepository.initialize(at: dir)
        try body(repo, dir)
    }
}

enum ScratchError: Error { case mkdtemp }

/// Output of one `git` CLI run.
struct GitRun {
    let status: Int32
    let stdout: Data
    let stderr: String
    var out: String { String(decoding: stdout, as: UTF8.self) }
    var lines: [String] { out.split(separator: "\n").map(String.init) }
}

/// Runs the `git` CLI in `dir` (`git -C dir args...`).
@discardableResult
func git(_ dir: String, _ args: String...) throws -> GitRun {
    try git(dir, arguments: args)
}

/// Runs the `git` CLI in `dir` with `args` as an array.
@discardableResult
func git(_ dir: String, arguments args: [String]) throws -> GitRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
    process.arguments = ["-C", dir] + args
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return GitRun(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
}

/// A whole-second signature for test commits.
func signature(_ name: String = "Rotor Bot", at seconds: TimeInterval = 1_700_000_000) -> GitSignature {
    GitSignature(name: name, email: "bot@rotor.test", time: Date(timeIntervalSince1970: seconds))
}

/// Commits `changes` on main on top of `parent` with a fixed signature.
@discardableResult
func commit(_ repo: GitRepository, _ changes: [String: String?], parent: ObjectID?, message: String = "change") throws -> ObjectID {
    let bytes = changes.mapValues { $0.map { Array($0.utf8) } }
    return try repo.commit(changes: bytes, parent: parent, ref: "refs/heads/main", message: message,
                           author: signature(), committer: signature("Rotor Committer"))
}

func write(_ dir: String, _ path: String, _ text: String) throws {
    let url = URL(fileURLWithPath: dir).appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
}

func read(_ dir: String, _ path: String) -> String? {
    FileManager.default.contents(atPath: dir + "/" + path).map { String(decoding: $0, as: UTF8.self) }
}

func exists(_ dir: String, _ path: String) -> Bool {
    FileManager.default.fileExists(atPath: dir + "/" + path)
}
