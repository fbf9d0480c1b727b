import Foundation
import Glibc
import RotorCore

/// What a spec or version file parsed to, as the ``ParseCache`` keeps it.
indirect enum CachedParse: Sendable {
    case config(RepoConfig)
    case policy(Policy, stem: String)
    case keyPolicy(KeyPolicy, stem: String)
    case secret(SecretSpec, stem: String)
    case key(ApiKeySpec, stem: String)
    case versionFile(SecretID, VersionFile)

    func write(to writer: inout CacheWriter) {
        switch self {
        case .config(let config):
            writer.byte(0)
            writer.value(config)
        case .policy(let policy, let stem):
            writer.byte(1)
            writer.string(stem)
            writer.value(policy)
        case .keyPolicy(let policy, let stem):
            writer.byte(2)
            writer.string(stem)
            writer.value(policy)
        case .secret(let spec, let stem):
            writer.byte(3)
            writer.string(stem)
            writer.value(spec)
        case .key(let key, let stem):
            writer.byte(4)
            writer.string(stem)
            writer.value(key)
        case .versionFile(let id, let file):
            writer.byte(5)
            writer.value(id)
            writer.value(file)
        }
    }

    init(from reader: inout CacheReader) throws {
        let kind = try reader.byte()
        if kind == 0 {
            self = .config(try reader.value())
            return
        }
        if kind == 5 {
            self = .versionFile(try reader.value(), try reader.value())
            return
        }
        let stem = try reader.string()
        switch kind {
        case 1: self = .policy(try reader.value(), stem: stem)
        case 2: self = .keyPolicy(try reader.value(), stem: stem)
        case 3: self = .secret(try reader.value(), stem: stem)
        case 4: self = .key(try reader.value(), stem: stem)
        default: throw CacheReader.Malformed()
        }
    }
}

/// Parsed specs and version files by path and git blob id, so an unchanged file is never
/// read from git or parsed twice.
///
/// Lives in `<git dir>/rotor/parse-cache`: per clone, never committed, safe to delete. A blob
/// id names its bytes exactly, so an entry is valid for as long as the path holds that blob;
/// only files that parsed without any diagnostic are kept, so errors and warnings are always
/// found by a real parse, and the cross-file rules (policies exist, names match paths) run on
/// every load. The file starts with its format's version and the identity of the rotor build
/// that wrote it (``BuildIdentity``: another format or build starts over, never misreads) and
/// ends with a checksum (a torn or damaged file is ignored, not
/// trusted). Writes go to a temporary file renamed into place, so concurrent runs each see a
/// whole file. Trust: whoever can write the git directory can already change what rotor
/// reads; `ROTOR_PARSE_CACHE=off` turns the cache off.
// Safe to share unchecked: every mutable property is read and written only while `lock` is held.
public final class ParseCache: @unchecked Sendable {
    struct Key: Hashable {
        let path: String
        let blob: String
    }

    /// The cache file.
    public let path: String
    private let lock = NSLock()
    /// The file as read (memory-mapped), and where each entry's bytes lie in it.
    private var stored = Data()
    private var index: [Key: Range<Int>] = [:]
    /// Entries parsed in this process, not yet saved.
    private var fresh: [Key: [UInt8]] = [:]
    /// Keys hit or recorded since the last save: what the next save keeps (a list: a set of
    /// 200,000 keys cost more than the lookups, and a save dedupes).
    private(set) var used: [Key] = []
    /// Counts for logs and tests.
    public private(set) var hits = 0
    public private(set) var misses = 0

    static let magic = Array("ROTORPC".utf8)
    /// The version of the file's layout and of what ``CachedParse`` writes: raise it with any
    /// change to either (a build id changes with every build anyway; this says why a file is
    /// refused, and guards builds with no id).
    static let formatVersion: UInt64 = 3

    /// The cache of the repository whose git directory is `gitDirectory`, or nil when
    /// `ROTOR_PARSE_CACHE=off`.
    public static func forRepository(gitDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> ParseCache? {
        if let setting = environment["ROTOR_PARSE_CACHE"]?.lowercased(), ["off", "0", "false", "no"].contains(setting) { return nil }
        return ParseCache(path: (gitDirectory as NSString).appendingPathComponent("rotor/parse-cache"))
    }

    /// Left once the file is read: until then, everything that reads the tables waits.
    private let loaded = DispatchGroup()

    /// Opens the cache at `path`; a missing, foreign or damaged file gives an empty cache.
    ///
    /// The file is read on another thread (at 100,000 files, indexing its 200,000 entries took
    /// ~0.3 s), while the caller lists the revision's tree; the first use waits for it.
    public init(path: String) {
        self.path = path
        loaded.enter()
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            load()
            loaded.leave()
        }
    }

    /// Takes the lock once the file is read.
    private func lockLoaded() {
        loaded.wait()
        lock.lock()
    }

    deinit {
        // Its tables hold an entry per file of the revision: freed beside whatever comes next.
        BackgroundRelease.release(index, fresh, used, stored)
    }

    /// How many entries the cache holds (read from the file plus parsed since).
    public var count: Int {
        lockLoaded()
        defer { lock.unlock() }
        return index.count + fresh.keys.filter { index[$0] == nil }.count
    }

    /// The files at `entries` (path, blob id): cached ones decoded (in parallel) without their
    /// bytes, the others with bytes from `read` (given the indexes of the misses, in order).
    public func files(_ entries: [(path: String, blobID: String)], read: ([Int]) throws -> [[UInt8]]) rethrows -> [SourceFile] {
        let keys = entries.map { Key(path: $0.path, blob: $0.blobID) }
        lockLoaded()
        let ranges = keys.map { index[$0] }
        let stored = self.stored
        lock.unlock()
        // Decoded in place, one slot per entry (nil: not cached, or an entry that does not decode).
        var cached: [CachedParse?] = ParallelMap.map(Array(ranges.indices)) { index in
            guard let range = ranges[index] else { return nil }
            return stored.withUnsafeBytes { buffer in
                var reader = CacheReader(buffer, from: range.lowerBound, to: range.upperBound)
                guard let parse = try? CachedParse(from: &reader), reader.isAtEnd else { return nil }
                return parse
            }
        }
        let missed = entries.indices.filter { cached[$0] == nil }
        // Room for what the misses will record (from several parsing threads, under the lock):
        // a table that grows while they wait on it is what they would otherwise share.
        lockLoaded()
        fresh.reserveCapacity(fresh.count + missed.count)
        lock.unlock()
        var bytes = try read(missed).makeIterator()
        var files: [SourceFile] = []
        files.reserveCapacity(entries.count)
        var hitKeys: [Key] = []
        hitKeys.reserveCapacity(entries.count - missed.count)
        cached.withUnsafeMutableBufferPointer { slots in
            for (index, entry) in entries.enumerated() {
                // Moved out of its slot, not copied (each parse is a tree of strings and arrays).
                let slot = slots.baseAddress! + index
                if let parse = slot.move() {
                    files.append(SourceFile(path: entry.path, blobID: entry.blobID, cached: parse))
                    hitKeys.append(keys[index])
                } else {
                    files.append(SourceFile(path: entry.path, bytes: bytes.next() ?? [], blobID: entry.blobID))
                }
                slot.initialize(to: nil)
            }
        }
        lockLoaded()
        noteUsed(hitKeys)
        hits += hitKeys.count
        misses += entries.count - hitKeys.count
        lock.unlock()
        return files
    }

    /// Marks what the cache holds as used, but for the entries at `replaced` paths: for a
    /// command that just wrote new versions of those files, so its next save keeps the rest of
    /// the revision alongside them.
    public func retainStored(except replaced: Set<String>) {
        lockLoaded()
        defer { lock.unlock() }
        noteUsed(index.keys.filter { !replaced.contains($0.path) })
    }

    /// Keeps what `file` parsed to (called only for files that parsed without any diagnostic).
    func record(_ file: SourceFile, _ parse: CachedParse) {
        guard file.cached == nil, let blob = file.blobID else { return }
        var writer = CacheWriter()
        parse.write(to: &writer)
        let key = Key(path: file.path, blob: blob)
        lockLoaded()
        fresh[key] = writer.bytes
        noteUsed([key])
        lock.unlock()
    }

    /// Adds to `used` (lock held). A long-lived cache whose loads all hit never saves, so the
    /// list is deduplicated whenever it outgrows what the cache can hold twice over.
    private func noteUsed(_ keys: [Key]) {
        used += keys
        if used.count > 2 * (index.count + fresh.count) + 1_024 {
            var seen = Set<Key>()
            used = used.filter { seen.insert($0).inserted }
        }
    }

    /// Writes the cache when this process parsed something new, keeping only the entries used
    /// since the last save (so it holds what the revisions read lately hold, no more).
    /// Best effort: a git directory that cannot be written leaves the cache as it was.
    public func save() {
        lockLoaded()
        defer { lock.unlock() }
        guard !fresh.isEmpty else { return }
        var writer = CacheWriter()
        writer.raw(Self.magic)
        writer.varint(Self.formatVersion)
        writer.string(Self.identity)
        var seen = Set<Key>(minimumCapacity: used.count)
        let keys = used.filter { seen.insert($0).inserted }
        var written: [Key: Range<Int>] = [:]
        written.reserveCapacity(keys.count)
        stored.withUnsafeBytes { buffer in
            var kept: [(Key, [UInt8])] = []
            kept.reserveCapacity(keys.count)
            for key in keys {
                if let bytes = fresh[key] {
                    kept.append((key, bytes))
                } else if let range = index[key] {
                    kept.append((key, Array(UnsafeRawBufferPointer(rebasing: buffer[range]))))
                }
            }
            // The file's size, roughly (each key's lengths and the entry's length are varints): one allocation.
            writer.reserve(kept.reduce(16) { $0 + $1.0.path.utf8.count + $1.0.blob.utf8.count + $1.1.count + 16 } + 8)
            writer.varint(UInt64(kept.count))
            for (key, bytes) in kept {
                writer.string(key.path)
                writer.string(key.blob)
                writer.varint(UInt64(bytes.count))
                written[key] = writer.bytes.count..<(writer.bytes.count + bytes.count)
                writer.raw(bytes)
            }
        }
        // The checksum of everything before it, appended in place (no copy of the file's bytes).
        withUnsafeBytes(of: Self.checksum(writer.bytes).littleEndian) { writer.raw(Array($0)) }
        guard let mapped = write(writer.bytes) else { return }
        // What was written, without reading it back or keeping a second copy in memory.
        stored = mapped
        index = written
        fresh = [:]
        used = []
    }

    /// Writes `bytes` to a temporary file renamed over the cache; returns the file's contents
    /// memory-mapped from that same file (its inode, whatever replaces the path later), or nil
    /// when it cannot be written. Temporary files left by a rotor killed mid-write are removed
    /// once they are an hour old.
    private func write(_ bytes: [UInt8]) -> Data? {
        let directory = (path as NSString).deletingLastPathComponent
        let manager = FileManager.default
        if !manager.fileExists(atPath: directory) {
            guard (try? manager.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])) != nil else { return nil }
        }
        removeStaleTemporaries(in: directory)
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            return nil
        }
        guard let address = mmap(nil, bytes.count, PROT_READ, MAP_SHARED, descriptor, 0), address != MAP_FAILED else {
            return Data(bytes)
        }
        return Data(bytesNoCopy: address, count: bytes.count, deallocator: .custom { munmap($0, $1) })
    }

    private func removeStaleTemporaries(in directory: String) {
        let prefix = (path as NSString).lastPathComponent + ".tmp-"
        let hourAgo = Date().addingTimeInterval(-3_600)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(prefix) {
            let file = (directory as NSString).appendingPathComponent(name)
            if let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date, modified < hourAgo {
                unlink(file)
            }
        }
    }

    private func load() {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped),
              let entries = try? Self.entries(of: data) else { return }
        stored = data
        index = entries
    }

    /// Every entry's key and payload range; throws when the file is not this build's or is damaged.
    static func entries(of data: Data) throws -> [Key: Range<Int>] {
        try data.withUnsafeBytes { buffer in
            guard buffer.count >= magic.count + 8 else { throw CacheReader.Malformed() }
            let body = UnsafeRawBufferPointer(rebasing: buffer[0..<(buffer.count - 8)])
            let expected = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: buffer.count - 8, as: UInt64.self))
            guard checksum(body) == expected else { throw CacheReader.Malformed() }
            var reader = CacheReader(body)
            guard Array(try reader.span(magic.count)) == magic, try reader.varint() == formatVersion, try reader.string() == identity else {
                throw CacheReader.Malformed()
            }
            let count = try reader.varint()
            guard count <= UInt64(body.count) else { throw CacheReader.Malformed() }
            var index: [Key: Range<Int>] = [:]
            index.reserveCapacity(Int(count))
            for _ in 0..<count {
                let key = Key(path: try reader.string(), blob: try reader.string())
                let size = try reader.length()
                index[key] = reader.position..<(reader.position + size)
                reader.position += size
            }
            guard reader.isAtEnd else { throw CacheReader.Malformed() }
            return index
        }
    }

    /// The build that writes and reads the cache (a rebuilt or upgraded rotor starts a new cache).
    static var identity: String { BuildIdentity.current }

    /// A fast 64-bit checksum (damage detection, not tamper-proofing).
    static func checksum<Bytes: ContiguousBytes>(_ bytes: Bytes) -> UInt64 {
        bytes.withUnsafeBytes { buffer in
            var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(buffer.count)
            var offset = 0
            while offset + 8 <= buffer.count {
                let word = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                hash = ((hash ^ word) &* 0xFF51_AFD7_ED55_8CCD)
                hash ^= hash >> 32
                offset += 8
            }
            while offset < buffer.count {
                hash = (hash ^ UInt64(buffer[offset])) &* 0x0000_0100_0000_01B3
                offset += 1
            }
            hash ^= hash >> 29
            return hash &* 0xC4CE_B9FE_1A85_EC53
        }
    }
}
