import Foundation
import RotorCrypto

/// Runs the `gpg` command-line program against a home directory, for cross-checking rotor.
///
/// Input (possibly plaintext) goes through a stdin pipe, never through arguments or files.
enum GPGCLI {
    struct Result {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    static func run(home: String, _ arguments: [String], stdin: [UInt8] = []) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gpg")
        process.arguments = ["--homedir", home, "--batch", "--quiet", "--no-tty"] + arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()

        // Write and read concurrently so neither side blocks on a full pipe.
        let group = DispatchGroup()
        final class Collected: @unchecked Sendable { var data = Data() }  // written before group.wait() returns
        let errorData = Collected()
        DispatchQueue.global().async(group: group) {
            input.fileHandleForWriting.write(Data(stdin))
            try? input.fileHandleForWriting.close()
        }
        DispatchQueue.global().async(group: group) {
            errorData.data = errors.fileHandleForReading.readDataToEndOfFile()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: [UInt8](outputData),
                      stderr: String(decoding: errorData.data, as: UTF8.self))
    }

    /// `gpg --decrypt` with the armored message on stdin.
    static func decrypt(home: String, _ armored: String) throws -> Result {
        try run(home: home, ["--decrypt"], stdin: Array(armored.utf8))
    }
}

/// Random test bytes with a recognizable canary prefix.
func canaryBytes(_ length: Int) -> [UInt8] {
    let canary = Array("ROTOR-CANARY-".utf8)
    return canary + (0..<max(0, length - canary.count)).map { _ in UInt8.random(in: 0...255) }
}

/// A fresh home with one new key: the home, a context on it and the key's fingerprint.
func homeWithKey(_ name: String = "Test") throws -> (home: TemporaryGPGHome, context: GPGContext, fingerprint: String) {
    let home = try TemporaryGPGHome()
    let context = try GPGContext(homeDirectory: home.path)
    let fingerprint = try context.createKey(userID: "\(name) <\(name.lowercased())@rotor.test>")
    return (home, context, fingerprint)
}
