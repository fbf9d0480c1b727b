import Foundation
import Testing
@testable import RotorCrypto

@Suite struct TemporaryGPGHomeTests {
    @Test func homeIsShortPrivateAndRemoved() throws {
        // Given a home whose agent has been started by key creation
        let home = try TemporaryGPGHome()
        #expect(home.path.hasPrefix("/tmp/rtg-"))
        #expect(home.path.count == "/tmp/rtg-XXXXXX".count)
        let attributes = try FileManager.default.attributesOfItem(atPath: home.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        #expect(GPGHomeConfiguration.avoidsRandomSeedLock(home.path))
        let context = try GPGContext(homeDirectory: home.path)
        _ = try context.createKey(userID: "Home <home@rotor.test>")
        #expect(FileManager.default.fileExists(atPath: home.path + "/pubring.kbx"))
        // When it is removed (twice)
        home.remove()
        home.remove()
        // Then the directory is gone
        #expect(!FileManager.default.fileExists(atPath: home.path))
    }

    @Test func deinitRemovesTheDirectory() throws {
        var path = ""
        do {
            let home = try TemporaryGPGHome()
            path = home.path
            #expect(FileManager.default.fileExists(atPath: path))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
