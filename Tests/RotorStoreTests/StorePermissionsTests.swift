import Foundation
import GRDB
import Testing
@testable import RotorStore

@Suite("State store permissions")
struct StorePermissionsTests {
    func mode(_ path: String) throws -> Int {
        try #require((FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
    }

    func temporaryPath() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-perm-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("state.db").path
    }

    @Test func aNewStoreAndItsSideFilesAreOwnerOnly() throws {
        let path = try temporaryPath()
        let previous = umask(0o022)
        defer { umask(previous) }
        let store = try StateStore(path: path)
        try store.setVerifiedRevision("0000000000000000000000000000000000000000")
        #expect(try mode(path) == 0o600)
        for side in [path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: side) {
            #expect(try mode(side) == 0o600, "\(side)")
        }
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func anOlderWorldReadableStoreIsTightenedOnOpen() throws {
        let path = try temporaryPath()
        _ = try StateStore(path: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        _ = try StateStore(path: path)
        #expect(try mode(path) == 0o600)
    }
}
