import Foundation
import RotorCore
import Testing
@testable import RotorCrypto

/// Every message the native path writes here is decrypted by the real `gpg`.
@Suite struct NativeEncryptionTests {
    @Test func oneValueToOneRecipientDecryptsWithGpg() throws {
        // Given a home with an ed25519 + cv25519 key and a canary value
        let (home, _, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let value = canaryBytes(40)
        let encryptor = Encryptor(homeDirectory: home.path, native: true)
        // When the encryptor encrypts it
        #expect(try encryptor.route(for: [fingerprint]) == .native)
        let armored = try #require(try encryptor.encrypt([SecretBytes(value)], to: [fingerprint]).first)
        // Then it is a native message that gpg decrypts to the exact bytes with a good MDC
        #expect(NativeSupport.isNative(armored))
        let decrypted = try NativeSupport.gpgDecrypt(home: home.path, armored)
        #expect(decrypted.ok, "\(decrypted.statusLines)")
        #expect(decrypted.plaintext == value)
        // And both of rotor's armor checks and gpg's own dearmoring accept it
        #expect(OpenPGPArmor.isEncryptedMessage(armored))
        #expect(OpenPGPMessageArmor.isEncryptedMessage(armored))
        let dearmored = try GPGCLI.run(home: home.path, ["--dearmor"], stdin: Array(armored.utf8))
        #expect(dearmored.status == 0, "\(dearmored.stderr)")
        #expect(dearmored.stdout == NativeSupport.binary(armored))
        // And the plaintext appears nowhere in the message
        #expect(!armored.contains("ROTOR-CANARY"))
    }

    @Test(arguments: [2, 3])
    func everyRecipientDecrypts(recipients: Int) throws {
        // Given `recipients` people, each with their own home
        let homes = try NativeSupport.homes(recipients)
        defer { homes.forEach { $0.home.remove() } }
        let fingerprints = homes.map(\.fingerprint)
        let values = (0..<3).map { canaryBytes(20 + $0 * 50) }
        // When values are encrypted to all of them from the first home
        let encryptor = Encryptor(homeDirectory: homes[0].home.path, native: true)
        #expect(try encryptor.route(for: fingerprints) == .native)
        let messages = try encryptor.encrypt(values.map(SecretBytes.init), to: fingerprints)
        // Then each message names every recipient's encryption subkey, and every home decrypts it
        for (message, value) in zip(messages, values) {
            #expect(try NativeSupport.sessionKeyIDs(message).count == recipients)
            for (home, _) in homes {
                let decrypted = try NativeSupport.gpgDecrypt(home: home.path, message)
                #expect(decrypted.ok, "\(decrypted.statusLines)")
                #expect(decrypted.plaintext == value)
            }
        }
    }

    /// Plaintext sizes around the literal packet's and the SEIPD packet's one/two/five-octet length
    /// boundaries (literal body = size + 6; SEIPD body = size + 47 + the literal header).
    static let sizes = [0, 1, 15, 16, 17, 142, 143, 144, 185, 186, 187, 191, 192, 193,
                        8333, 8334, 8335, 8377, 8378, 8383, 8384, 65_536, 65_537, 200_000]

    @Test func packetLengthBoundariesDecrypt() throws {
        let (home, _, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let values = Self.sizes.map { size in (0..<size).map { _ in UInt8.random(in: 0...255) } }
        let messages = try Encryptor(homeDirectory: home.path, native: true)
            .encrypt(values.map(SecretBytes.init), to: [fingerprint])
        for (index, message) in messages.enumerated() {
            #expect(NativeSupport.isNative(message))
            let decrypted = try NativeSupport.gpgDecrypt(home: home.path, message)
            #expect(decrypted.ok, "size \(Self.sizes[index]): \(decrypted.statusLines)")
            #expect(decrypted.plaintext == values[index], "size \(Self.sizes[index])")
        }
    }

    @Test func manyValuesKeepTheirOrderAcrossThreads() throws {
        // Given more values than one thread's share, When encrypted on 3 threads
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let values = (0..<100).map { index in Array("value-\(index)-".utf8) + canaryBytes(index % 40) }
        let messages = try Encryptor(homeDirectory: home.path, workers: 3, native: true)
            .encrypt(values.map(SecretBytes.init), to: [fingerprint])
        // Then every message decrypts (gpgme) to its own value
        let decrypted = try messages.map { try context.decrypt($0).withUnsafeBytes { Array($0) } }
        #expect(decrypted == values)
    }
}
