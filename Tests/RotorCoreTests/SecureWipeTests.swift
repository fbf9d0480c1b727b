import Foundation
import Testing
@testable import RotorCore

@Suite("Wiping secret memory")
struct SecureWipeTests {
    @Test func wipeZeroesAnArrayInPlaceAndKeepsItsCount() {
        var bytes = Array("canary-8d1f0e".utf8)
        let count = bytes.count
        SecureWipe.wipe(&bytes)
        #expect(bytes.count == count)
        #expect(bytes.allSatisfy { $0 == 0 })
    }

    @Test func wipeZeroesRawMemory() {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 16)
        defer { memory.deallocate() }
        memory.copyBytes(from: (0..<64).map { UInt8($0 | 0x80) })
        SecureWipe.wipe(memory)
        #expect(memory.allSatisfy { $0 == 0 })
        SecureWipe.wipe(nil, count: 10)  // a nil pointer is a no-op, not a crash
    }

    /// Every wipe in the product goes through ``SecureWipe``: a plain loop that stores zeroes into
    /// memory about to be freed is a dead store the optimiser may delete.
    @Test func noSourceFileWipesWithAPlainLoop() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let loop = try Regex(#"for\s+\w+\s+in\s+\w+\.indices\s*\{\s*\w+\[\w+\]\s*=\s*0\s*\}"#)
        var offenders: [String] = []
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        #expect(files.count > 50)
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            if text.contains(loop) { offenders.append(file) }
            if text.contains("explicit_bzero(") && !file.hasSuffix("SecureWipe.swift") { offenders.append(file) }
        }
        #expect(offenders.isEmpty, "wipe through SecureWipe, not by hand: \(offenders)")
    }
}
