import CGit2
import Crypto
import Foundation

/// A pack file (`gitformat-pack`, version 2 or 3) mapped read-only into memory, with its index.
///
/// Shared by the threads of a bulk read: nothing in it changes after it is opened.
// Safe to share unchecked: the mapping is read-only and immutable from open to deinit (it owns raw pointers).
final class PackFile: @unchecked Sendable {
    let index: PackIndex
    let bytes: UnsafeRawBufferPointer

    /// Maps the pack at `path`; nil when it cannot be opened or does not start like a pack.
    init?(path: String, index: PackIndex) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size >= 32,
              let address = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else { return nil }
        let mapped = UnsafeRawBufferPointer(start: address, count: Int(info.st_size))
        let version = UInt32(bigEndian: mapped.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        guard Array(mapped[0..<4]) == Array("PACK".utf8), version == 2 || version == 3 else {
            munmap(address, Int(info.st_size))
            return nil
        }
        self.index = index
        self.bytes = mapped
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}

/// Reads blobs straight from mapped pack files, without libgit2: one inflate per object and one
/// delta applied per deltified object, its base kept from the read before. libgit2 takes a
/// process-wide lock for every pack window it touches, so two threads reading through it ran
/// only 1.2× as fast as one; these readers share nothing but the mapped files.
///
/// Every blob read here is checked against its id (the SHA-1 of `blob <size>\0` and its bytes,
/// BoringSSL's: libgit2's collision-detecting SHA-1 hashes ~3× slower, and what enters a pack
/// has been through git's or libgit2's, when it was fetched or written): a damaged pack, or a case this
/// reader gets wrong, gives nil, and the caller reads that blob through libgit2 instead (which
/// reports the damage). A reader belongs to one thread (its zlib stream and its bases are its own).
final class PackObjectReader {
    private let stream: UnsafeMutablePointer<z_stream>
    private let ready: Bool
    /// Objects read lately, by offset in their pack, in two generations: a delta's base is
    /// nearly always one read shortly before it (reading goes by offset, and a base precedes
    /// what is built on it), and memory stays bounded.
    private var recent: [Int: (type: Int, bytes: [UInt8])] = [:]
    private var older: [Int: (type: Int, bytes: [UInt8])] = [:]
    private var recentBytes = 0
    private var cachedPack: ObjectIdentifier?
    /// Whether bulk reads use it: yes, unless `ROTOR_PACK_READER=libgit2`.
    static let enabled = ProcessInfo.processInfo.environment["ROTOR_PACK_READER"]?.lowercased() != "libgit2"
    /// Bytes one generation may hold.
    static let generationBytes = 16 << 20
    /// The longest chain of deltas followed (git writes at most 50 by default; 4095 is git's own limit).
    static let maxChain = 4_095
    /// The most deflate can expand its input (zlib's documented worst case is about 1,032:1).
    static let maxInflateRatio = 1_032

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        ready = rotor_inflate_init(stream) == Z_OK
    }

    deinit {
        if ready { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// The blob `id` at `offset` in `pack`, or nil when it cannot be read here (not a blob,
    /// damaged, not what `id` names, or it or an object on its delta chain is over `limit`
    /// bytes: nothing over the limit is allocated, and the caller's libgit2 path reads the
    /// blob's size from its header before it reads the blob).
    func blob(_ id: ObjectID, at offset: UInt64, in pack: PackFile, limit: Int = .max) -> [UInt8]? {
        guard ready, offset < UInt64(pack.bytes.count),
              let (type, bytes) = object(at: Int(offset), in: pack, limit: limit), type == 3 else { return nil }
        var hasher = Insecure.SHA1()
        hasher.update(data: Array("blob \(bytes.count)\0".utf8))
        hasher.update(data: bytes)
        let digest = hasher.finalize()
        let matches = withUnsafeBytes(of: id.oid.id) { expected in
            digest.withUnsafeBytes { actual in actual.elementsEqual(expected) }
        }
        return matches ? bytes : nil
    }

    /// The object at `offset`: its type (1 commit, 2 tree, 3 blob, 4 tag) and bytes, its deltas applied.
    private func object(at offset: Int, in pack: PackFile, limit: Int) -> (type: Int, bytes: [UInt8])? {
        let identity = ObjectIdentifier(pack)
        if cachedPack != identity {
            recent = [:]
            older = [:]
            recentBytes = 0
            cachedPack = identity
        }
        // Back along the chain of deltas to an object that is whole (or read lately).
        var deltas: [(offset: Int, entry: Entry)] = []
        var at = offset
        var base: (type: Int, bytes: [UInt8])
        while true {
            if let known = cached(at) {
                base = known
                break
            }
            guard deltas.count <= Self.maxChain, let entry = Self.entry(at: at, in: pack.bytes), entry.size <= limit else { return nil }
            switch entry.kind {
            case .whole(let type):
                guard let bytes = inflated(pack.bytes, from: entry.dataStart, size: entry.size) else { return nil }
                base = (type, bytes)
                remember(at, base)
            case .deltaAtOffset(let baseOffset):
                deltas.append((at, entry))
                at = baseOffset
                continue
            case .deltaOfID(let baseID):
                guard let found = baseID.withUnsafeBytes({ pack.index.offset(of: $0) }), found < UInt64(pack.bytes.count),
                      Int(found) != at else { return nil }
                deltas.append((at, entry))
                at = Int(found)
                continue
            }
            break
        }
        // Forward again, applying each delta to what the one before it built.
        for (deltaOffset, entry) in deltas.reversed() {
            guard let delta = inflated(pack.bytes, from: entry.dataStart, size: entry.size),
                  let bytes = Self.apply(delta, to: base.bytes, limit: limit) else { return nil }
            base = (base.type, bytes)
            remember(deltaOffset, base)
        }
        return base
    }

    private func cached(_ offset: Int) -> (type: Int, bytes: [UInt8])? {
        if let hit = recent[offset] { return hit }
        guard let hit = older[offset] else { return nil }
        remember(offset, hit)
        return hit
    }

    private func remember(_ offset: Int, _ object: (type: Int, bytes: [UInt8])) {
        if recentBytes + object.bytes.count > Self.generationBytes {
            older = recent
            recent = [:]
            recentBytes = 0
        }
        recent[offset] = object
        recentBytes += object.bytes.count
    }

    /// One entry's header: what it is, its (inflated) size, and where its compressed data starts.
    struct Entry {
        enum Kind {
            case whole(type: Int)
            case deltaAtOffset(Int)
            case deltaOfID([UInt8])
        }
        var kind: Kind
        var size: Int
        var dataStart: Int
    }

    static func entry(at offset: Int, in pack: UnsafeRawBufferPointer) -> Entry? {
        // The pack ends with a 20-byte checksum: nothing starts inside it.
        let end = pack.count - 20
        var at = offset
        guard at >= 12, at < end else { return nil }
        var byte = pack[at]
        at += 1
        let type = Int(byte >> 4 & 7)
        var size = Int(byte & 0x0f)
        var shift = 4
        while byte & 0x80 != 0 {
            guard at < end, shift <= 57 else { return nil }
            byte = pack[at]
            at += 1
            size |= Int(byte & 0x7f) << shift
            shift += 7
        }
        switch type {
        case 1, 2, 3, 4:
            return Entry(kind: .whole(type: type), size: size, dataStart: at)
        case 6:
            // The base's distance back, in git's offset encoding (each continuation adds one).
            guard at < end else { return nil }
            byte = pack[at]
            at += 1
            var distance = Int(byte & 0x7f)
            while byte & 0x80 != 0 {
                guard at < end, distance < (1 << 55) else { return nil }
                byte = pack[at]
                at += 1
                distance = ((distance + 1) << 7) | Int(byte & 0x7f)
            }
            guard distance > 0, distance <= offset - 12 else { return nil }
            return Entry(kind: .deltaAtOffset(offset - distance), size: size, dataStart: at)
        case 7:
            guard at + 20 <= end else { return nil }
            return Entry(kind: .deltaOfID(Array(pack[at..<(at + 20)])), size: size, dataStart: at + 20)
        default:
            return nil
        }
    }

    /// The zlib stream at `start` inflated, when it is exactly `size` bytes long.
    ///
    /// `size` comes from the pack and is not trusted: it is allocated only when the bytes left
    /// in the pack could inflate to it (deflate expands at most 1,032 to 1).
    private func inflated(_ pack: UnsafeRawBufferPointer, from start: Int, size: Int) -> [UInt8]? {
        guard start < pack.count, size < Int(UInt32.max) - 1, size <= (pack.count - start) * Self.maxInflateRatio + 64 else { return nil }
        guard inflateReset(stream) == Z_OK else { return nil }
        var ok = false
        // One byte more than expected: a stream longer than its header says is caught.
        let bytes = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: pack.baseAddress!.assumingMemoryBound(to: UInt8.self) + start)
            stream.pointee.avail_in = UInt32(clamping: pack.count - start)
            stream.pointee.next_out = buffer.baseAddress
            stream.pointee.avail_out = UInt32(size + 1)
            let result = inflate(stream, Z_FINISH)
            ok = result == Z_STREAM_END && Int(stream.pointee.total_out) == size
            count = ok ? size : 0
        }
        return ok ? bytes : nil
    }

    /// `delta` (git's delta format: the base's size, the result's size, then copies from the base
    /// and inserted bytes) applied to `base`; nil when it does not fit the base or its own sizes,
    /// or its result would be over `limit` bytes (checked before the result is allocated).
    static func apply(_ delta: [UInt8], to base: [UInt8], limit: Int = .max) -> [UInt8]? {
        var at = 0
        func size() -> Int? {
            var value = 0, shift = 0
            while at < delta.count, shift <= 56 {
                let byte = delta[at]
                at += 1
                value |= Int(byte & 0x7f) << shift
                shift += 7
                if byte & 0x80 == 0 { return value }
            }
            return nil
        }
        // A copy instruction is at least one byte and yields at most 2^24 - 1 bytes: a result size
        // the instructions cannot reach is refused before it is allocated.
        guard let baseSize = size(), baseSize == base.count, let resultSize = size(), resultSize <= limit,
              resultSize <= (delta.count - at) * 0xFF_FFFF else { return nil }
        var ok = true
        let result = [UInt8](unsafeUninitializedCapacity: resultSize) { out, count in
            var written = 0
            delta.withUnsafeBufferPointer { ops in
                base.withUnsafeBufferPointer { source in
                    while at < ops.count {
                        let op = ops[at]
                        at += 1
                        if op & 0x80 != 0 {
                            // Copy: up to four offset bytes and three size bytes, each present when its bit is set.
                            var from = 0, length = 0
                            for bit in 0..<4 where op & (1 << bit) != 0 {
                                guard at < ops.count else { ok = false; return }
                                from |= Int(ops[at]) << (8 * bit)
                                at += 1
                            }
                            for bit in 0..<3 where op & (0x10 << bit) != 0 {
                                guard at < ops.count else { ok = false; return }
                                length |= Int(ops[at]) << (8 * bit)
                                at += 1
                            }
                            if length == 0 { length = 0x10000 }
                            guard from + length <= source.count, written + length <= resultSize else { ok = false; return }
                            UnsafeMutableRawPointer(out.baseAddress! + written).copyMemory(from: source.baseAddress! + from, byteCount: length)
                            written += length
                        } else if op != 0 {
                            // Insert the next `op` bytes.
                            let length = Int(op)
                            guard at + length <= ops.count, written + length <= resultSize else { ok = false; return }
                            UnsafeMutableRawPointer(out.baseAddress! + written).copyMemory(from: ops.baseAddress! + at, byteCount: length)
                            at += length
                            written += length
                        } else {
                            ok = false
                            return
                        }
                    }
                }
            }
            ok = ok && written == resultSize
            count = ok ? resultSize : 0
        }
        return ok ? result : nil
    }
}
