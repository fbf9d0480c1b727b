import Foundation
import GRDB
import Testing
@testable import RotorStore

/// What `plan` reads the store with: SQLite's WAL locking, never a mode that is undefined
/// while a writer runs, and nothing left behind.
@Suite("State store: read-only opens and writers")
struct StoreReadModeTests {
    func temporaryPath() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-read-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("state.db").path
    }

    @Test func aConcurrentWriterIsReadConsistentlyAndNothingIsLeftBehind() throws {
        // Given a store no process has open
        let path = try temporaryPath()
        try StateStore(path: path).setVerifiedRevision(String(repeating: "a", count: 40))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        // When plan's read-only store is open and an apply starts and commits meanwhile
        var reader: StateStore? = try StateStore.openReadOnly(path: path)
        #expect(reader != nil)
        #expect(reader?.readMode == .queryOnly)
        #expect(try reader?.verifiedRevision() == String(repeating: "a", count: 40))
        var writer: StateStore? = try StateStore(path: path)
        try writer?.setVerifiedRevision(String(repeating: "c", count: 40))
        // Then the reader sees the commit (an immutable reader would not: it reads no WAL, takes no lock)
        #expect(try reader?.verifiedRevision() == String(repeating: "c", count: 40))
        // And with a writer connected, a new reader reads its WAL read-only
        #expect(try StateStore.openReadOnly(path: path)?.readMode == .readOnly)
        writer = nil
        reader = nil
        // And a read with nobody else connected leaves the folder as it found it
        let after = try Data(contentsOf: URL(fileURLWithPath: path))
        var quiet: StateStore? = try StateStore.openReadOnly(path: path)
        _ = try quiet?.verifiedRevision()
        quiet = nil
        #expect(!FileManager.default.fileExists(atPath: path + "-wal") && !FileManager.default.fileExists(atPath: path + "-shm"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == after)
        #expect(before != after)
    }
}
