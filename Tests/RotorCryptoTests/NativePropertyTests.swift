import Foundation
import Testing
@testable import RotorCrypto

/// Property: any value, to any non-empty subset of recipients, decrypts with gpg for each of them.
@Suite struct NativePropertyTests {
    /// Values per run; each is decrypted by one `gpg` process. `ROTOR_PROPERTY_COUNT` raises it.
    static let count = Int(ProcessInfo.processInfo.environment["ROTOR_PROPERTY_COUNT"] ?? "") ?? 300

    struct Case {
        var value: [UInt8]
        var recipients: [Int]
        var checkedBy: Int
    }

    @Test func randomValuesToRandomRecipientSetsAllDecryptWithGpg() throws {
        // Given three people and many random values of random lengths (mostly short, some long)
        let homes = try NativeSupport.homes(3)
        defer { homes.forEach { $0.home.remove() } }
        var generator = SystemRandomNumberGenerator()
        let cases = (0..<Self.count).map { index -> Case in
            let roll = Int.random(in: 0..<100, using: &generator)
            let length = roll < 70 ? Int.random(in: 0..<200, using: &generator)
                : roll < 95 ? Int.random(in: 200..<9000, using: &generator) : Int.random(in: 9000..<70_000, using: &generator)
            let value = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var subset = (0..<3).filter { _ in Bool.random(using: &generator) }
            if subset.isEmpty { subset = [index % 3] }
            subset.shuffle(using: &generator)
            return Case(value: value, recipients: subset, checkedBy: subset[index % subset.count])
        }
        // When each value is encrypted natively to its subset (one call per subset, as rotor batches)
        let encryptor = Encryptor(homeDirectory: homes[0].home.path, native: true)
        var messages = [String](repeating: "", count: cases.count)
        let groups = Dictionary(grouping: cases.indices) { cases[$0].recipients }
        for (subset, indices) in groups {
            let fingerprints = subset.map { homes[$0].fingerprint }
            #expect(try encryptor.route(for: fingerprints) == .native)
            let encrypted = try encryptor.encrypt(indices.map { SecretBytes(cases[$0].value) }, to: fingerprints)
            for (index, message) in zip(indices, encrypted) { messages[index] = message }
        }
        let encryptedMessages = messages
        // Then gpg, in the home of one recipient of each value, decrypts every one of them exactly
        let failures = FailureList()
        DispatchQueue.concurrentPerform(iterations: 3) { lane in
            for index in stride(from: lane, to: cases.count, by: 3) {
                let item = cases[index]
                do {
                    let result = try NativeSupport.gpgDecrypt(home: homes[item.checkedBy].home.path, encryptedMessages[index])
                    if !result.ok || result.plaintext != item.value {
                        failures.add("value \(index) (\(item.value.count) bytes, recipients \(item.recipients)): status \(result.status) \(result.statusLines)")
                    }
                } catch {
                    failures.add("value \(index): \(error)")
                }
            }
        }
        #expect(failures.items.isEmpty, "\(failures.items.count) of \(cases.count) failed; first: \(failures.items.first ?? "")")
    }
}

/// Collects failure descriptions from concurrent lanes.
final class FailureList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ item: String) { lock.withLock { list.append(item) } }
    var items: [String] { lock.withLock { list } }
}
