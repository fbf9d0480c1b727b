import ArgumentParser
import Foundation
import RotorCrypto

/// `rotor-bench encrypt`: values per second for the native encryptor and for gpgme, on the
/// same values and the same throwaway keyring in one run, so the figures compare as ratios.
struct EncryptBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt N random values to R fresh cv25519 recipients with each mode and report ms per value.",
        discussion: """
            Modes: native (rotor's OpenPGP encryptor), gpgme-seq (one gpgme context, one value after
            another: what a naive integration does), gpgme-pool (GPGEncryptionPool, parallel gpg
            processes), auto (Encryptor, what `rotor apply` uses). The keyring is generated in a
            short /tmp folder and removed at the end. Every mode's first --verify messages are
            decrypted with gpgme and compared with the input.
            """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case native
        case gpgmeSeq = "gpgme-seq"
        case gpgmePool = "gpgme-pool"
        case auto
    }

    @Option(help: "Values to encrypt per mode.") var count = 1000
    @Option(help: "Recipients (fresh ed25519 + cv25519 keys).") var recipients = 2
    @Option(help: "Bytes per value.") var size = 32
    @Option(name: .customLong("mode"), help: "native | gpgme-seq | gpgme-pool | auto; repeat it, or omit for all.")
    var modes: [Mode] = []
    @Option(help: "Threads (native) and gpg processes (pool); default: active cores.")
    var workers = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Messages per mode to decrypt and compare.") var verify = 5
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        guard count > 0, recipients > 0, size >= 0, workers > 0, verify >= 0 else {
            throw ValidationError("--count, --recipients and --workers must be positive; --size and --verify not negative")
        }
    }

    func run() throws {
        let home = try TemporaryGPGHome()
        defer { home.remove() }
        let setup = try GPGContext(homeDirectory: home.path)
        let fingerprints = try (0..<recipients).map { try setup.createKey(userID: "bench \($0) <bench\($0)@rotor.invalid>") }
        let values = (0..<count).map { _ in SecretBytes((0..<size).map { _ in UInt8.random(in: 0...255) }) }
        var rows: [Row] = []
        for mode in modes.isEmpty ? Mode.allCases : modes {
            let encrypt = try encryptor(mode, home: home.path)
            _ = try encrypt([values[0]], fingerprints)  // warm up: agent, key lookups, caches
            let start = ContinuousClock.now
            let messages = try encrypt(values, fingerprints)
            let elapsed = ContinuousClock.now - start
            try check(messages, against: values, home: home.path, mode: mode)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            rows.append(Row(mode: mode.rawValue, seconds: seconds, count: count))
        }
        print(json ? jsonReport(rows) : table(rows))
    }

    /// The encryption call of each mode.
    private func encryptor(_ mode: Mode, home: String) throws -> ([SecretBytes], [String]) throws -> [String] {
        switch mode {
        case .native:
            let encryptor = Encryptor(homeDirectory: home, workers: workers, native: true)
            return { values, fingerprints in
                let route = try encryptor.route(for: fingerprints)
                guard route == .native else { throw ValidationError("native path not taken: \(route)") }
                return try encryptor.encrypt(values, to: fingerprints)
            }
        case .gpgmeSeq:
            let context = try GPGContext(homeDirectory: home)
            return { values, fingerprints in try values.map { try context.encrypt($0, to: fingerprints) } }
        case .gpgmePool:
            let pool = GPGEncryptionPool(homeDirectory: home, workers: workers)
            return { values, fingerprints in try pool.encrypt(values, to: fingerprints) }
        case .auto:
            let encryptor = Encryptor(homeDirectory: home, workers: workers)
            return { values, fingerprints in try encryptor.encrypt(values, to: fingerprints) }
        }
    }

    /// Decrypts the first `verify` messages and compares them with the input.
    private func check(_ messages: [String], against values: [SecretBytes], home: String, mode: Mode) throws {
        let context = try GPGContext(homeDirectory: home)
        for index in 0..<min(verify, messages.count) {
            let plain = try context.decrypt(messages[index])
            let same = plain.withUnsafeBytes { a in values[index].withUnsafeBytes { b in a.elementsEqual(b) } }
            guard same else { throw ValidationError("\(mode.rawValue): message \(index) decrypted to different bytes") }
        }
    }

    struct Row {
        var mode: String
        var seconds: Double
        var count: Int
        var msPerValue: Double { seconds * 1000 / Double(count) }
    }

    private func table(_ rows: [Row]) -> String {
        let baseline = rows.first { $0.mode == Mode.gpgmeSeq.rawValue }?.msPerValue
        var lines = ["\(count) values of \(size) bytes to \(recipients) cv25519 recipient(s), \(workers) worker(s)",
                     "mode        ms/value   values/s   vs gpgme-seq"]
        for row in rows {
            let speedup = baseline.map { String(format: "%.1f×", $0 / row.msPerValue) } ?? "-"
            lines.append(row.mode.padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(format: " %9.3f %10.0f   ", row.msPerValue, 1000 / row.msPerValue) + speedup)
        }
        return lines.joined(separator: "\n")
    }

    private func jsonReport(_ rows: [Row]) -> String {
        let items = rows.map { row in
            "{\"mode\": \"\(row.mode)\", " + String(format: "\"msPerValue\": %.4f, \"totalSeconds\": %.3f}", row.msPerValue, row.seconds)
        }
        return "{\"count\": \(count), \"size\": \(size), \"recipients\": \(recipients), \"workers\": \(workers), \"results\": [\(items.joined(separator: ", "))]}"
    }
}
