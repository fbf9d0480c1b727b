import Foundation
import Testing
@testable import RotorCrypto

/// Parallel encryption with one context per worker.
@Suite struct GPGEncryptionPoolTests {
    @Test func encryptsManyValuesInOrder() throws {
        // Given 200 random values of varied lengths
        let (home, _, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let values = (0..<200).map { index in canaryBytes(16 + index % 50) }
        let pool = GPGEncryptionPool(homeDirectory: home.path, workers: 2)
        // When the pool encrypts and then decrypts them
        let armored = try pool.encrypt(values.map(SecretBytes.init), to: [fingerprint])
        let decrypted = try pool.decrypt(armored)
        // Then every value comes back at its own index
        #expect(armored.count == 200)
        #expect(decrypted.map { $0.withUnsafeBytes { Array($0) } } == values)
        // And the gpg command line agrees on a sample
        for index in stride(from: 0, to: 200, by: 10) {
            let result = try GPGCLI.decrypt(home: home.path, armored[index])
            #expect(result.stdout == values[index], "value \(index)")
        }
    }

    @Test func homeWithoutSeedFileOptionEncryptsThroughScratchHome() throws {
        // Given a home whose gpg.conf does not disable the random_seed file
        let (home, _, fingerprint) = try homeWithKey()
        defer { home.remove() }
        try FileManager.default.removeItem(atPath: home.path + "/gpg.conf")
        #expect(!GPGHomeConfiguration.avoidsRandomSeedLock(home.path))
        let values = (0..<12).map { index in canaryBytes(20 + index) }
        let pool = GPGEncryptionPool(homeDirectory: home.path, workers: 3)
        // When the pool encrypts (through a scratch home holding only the public key)
        let armored = try pool.encrypt(values.map(SecretBytes.init), to: [fingerprint.lowercased()])
        // Then the real home decrypts every value in order, and no secret key was copied
        #expect(try pool.decrypt(armored).map { $0.withUnsafeBytes { Array($0) } } == values)
        #expect(try GPGCLI.decrypt(home: home.path, armored[5]).stdout == values[5])
        // And an unknown recipient is reported against the real home
        let unknown = String(repeating: "E", count: 40)
        let error = #expect(throws: GPGError.self) { try pool.encrypt(values.map(SecretBytes.init), to: [fingerprint, unknown]) }
        #expect(error?.message == "no public key for recipient \(unknown) in \(home.path)")
    }

    @Test func firstErrorIsThrown() throws {
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let good = try context.encrypt(SecretBytes([1]), to: [fingerprint])
        let pool = GPGEncryptionPool(homeDirectory: home.path, workers: 3)
        let error = #expect(throws: GPGError.self) { try pool.decrypt([good, good, "not armored", good, "nope"]) }
        #expect(error?.function == "gpgme_op_decrypt")
        #expect(try pool.encrypt([], to: [fingerprint]).isEmpty)
        let unknown = String(repeating: "F", count: 40)
        let encryptError = #expect(throws: GPGError.self) { try pool.encrypt([SecretBytes([1])], to: [unknown]) }
        #expect(encryptError?.message.contains(unknown) == true)
    }

    /// Rough throughput figures; run alone with `ROTOR_GPG_BENCH=1 swift test --filter benchmark`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ROTOR_GPG_BENCH"] == "1"), .serialized,
          arguments: [true, false])
    func benchmark(noRandomSeedFile: Bool) throws {
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        if !noRandomSeedFile {
            try FileManager.default.removeItem(atPath: home.path + "/gpg.conf")
        }
        let values = (0..<200).map { _ in SecretBytes(canaryBytes(32)) }
        _ = try context.encrypt(values[0], to: [fingerprint])  // warm the agent and key cache
        let clock = ContinuousClock()
        var armored: [String] = []
        let sequential = try clock.measure {
            armored = try values.map { try context.encrypt($0, to: [fingerprint]) }
        }
        let sequentialDecrypt = try clock.measure {
            for message in armored { _ = try context.decrypt(message) }
        }
        print("[\(noRandomSeedFile)] sequential: encrypt \(ms(sequential / 200)) ms/value, decrypt \(ms(sequentialDecrypt / 200)) ms/value")
        for workers in [2, 3, 4, 8] {
            let pool = GPGEncryptionPool(homeDirectory: home.path, workers: workers)
            _ = try pool.encrypt(Array(values.prefix(workers)), to: [fingerprint])  // create contexts
            let encrypt = try clock.measure { armored = try pool.encrypt(values, to: [fingerprint]) }
            let decrypt = try clock.measure { _ = try pool.decrypt(armored) }
            print("[\(noRandomSeedFile)] pool of \(workers): encrypt \(ms(encrypt / 200)) ms/value (\(ms(encrypt)) ms total), decrypt \(ms(decrypt / 200)) ms/value")
        }
    }

    private func ms(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.2f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
}
