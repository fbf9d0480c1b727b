import Crypto
import Foundation
import RotorCore

/// What identifies the running rotor build, for files only the same build may read back
/// (the parse cache).
///
/// The executable's GNU build id (the `NT_GNU_BUILD_ID` note the linker computes from the
/// linked code), read from `/proc/self/exe`: it changes with the code and does not change when
/// a container or a reproducible build resets file times. An executable without one is
/// identified by the SHA-256 of its bytes (slower, same guarantee).
public enum BuildIdentity {
    /// `build-id:<hex>` or `sha256:<hex>` of the running executable; "unknown" when neither can be read.
    public static let current: String = {
        let path = "/proc/self/exe"
        if let id = try? gnuBuildID(ofELF: path) { return "build-id:" + HexEncoding.lowercase(id) }
        if let bytes = FileManager.default.contents(atPath: path) { return "sha256:" + HexEncoding.lowercase(SHA256.hash(data: bytes)) }
        return "unknown"
    }()

    /// The GNU build id in the ELF file at `path` (64-bit, little-endian), from its PT_NOTE
    /// segments; nil when it has none. Only the headers and the notes are read.
    static func gnuBuildID(ofELF path: String) throws -> [UInt8]? {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        func read(_ offset: UInt64, _ count: Int) throws -> [UInt8] {
            try handle.seek(toOffset: offset)
            return [UInt8](try handle.read(upToCount: count) ?? Data())
        }
        let header = try read(0, 64)
        guard header.count == 64, header.starts(with: [0x7F, 0x45, 0x4C, 0x46]), header[4] == 2, header[5] == 1 else { return nil }
        let programHeaders = header.load(UInt64.self, at: 0x20)
        let entrySize = Int(header.load(UInt16.self, at: 0x36)), entries = Int(header.load(UInt16.self, at: 0x38))
        guard entrySize >= 56, entries <= 256 else { return nil }
        let table = try read(programHeaders, entrySize * entries)
        guard table.count == entrySize * entries else { return nil }
        for index in 0..<entries {
            let base = index * entrySize
            guard table.load(UInt32.self, at: base) == 4 else { continue }  // PT_NOTE
            let offset = table.load(UInt64.self, at: base + 8), size = table.load(UInt64.self, at: base + 32)
            guard size <= 1 << 16 else { continue }
            let notes = try read(offset, Int(size))
            var at = 0
            while at + 12 <= notes.count {
                let nameSize = Int(notes.load(UInt32.self, at: at)), descriptionSize = Int(notes.load(UInt32.self, at: at + 4))
                let type = notes.load(UInt32.self, at: at + 8)
                let name = at + 12, description = name + (nameSize + 3) & ~3
                guard description + descriptionSize <= notes.count else { break }
                if type == 3, nameSize == 4, Array(notes[name..<(name + 4)]) == Array("GNU\0".utf8) {  // NT_GNU_BUILD_ID
                    return Array(notes[description..<(description + descriptionSize)])
                }
                at = description + (descriptionSize + 3) & ~3
            }
        }
        return nil
    }
}

private extension Array where Element == UInt8 {
    /// The little-endian integer at `offset` (the caller checked the bounds).
    func load<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        var value: T = 0
        for byte in 0..<MemoryLayout<T>.size { value |= T(self[offset + byte]) << (8 * byte) }
        return value
    }
}
