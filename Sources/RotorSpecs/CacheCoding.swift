import Foundation
import RotorCore

/// The byte form of parsed specs and version files in the ``ParseCache``.
///
/// Hand-written rather than `Codable`: `Codable` through any encoder cost ~10 µs per spec
/// here (generic metadata lookups dominate), which is what the cache exists to avoid. Each
/// type writes its stored properties in declaration order; `CacheCodingTests` counts every
/// type's stored properties, so a field added to a spec without being added here fails the
/// suite instead of silently vanishing from cached plans. Only the build that wrote a cache
/// reads it (the cache header names the build), so there is no versioning inside.
struct CacheWriter {
    private(set) var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Room for `count` more bytes at once (a large file grows without being copied as it doubles).
    mutating func reserve(_ count: Int) { bytes.reserveCapacity(bytes.count + count) }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func int(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }
    mutating func int(_ value: Int) { int(Int64(value)) }
    mutating func bool(_ value: Bool) { byte(value ? 1 : 0) }

    mutating func string(_ value: String) {
        varint(UInt64(value.utf8.count))
        bytes += value.utf8
    }

    mutating func date(_ value: Date) {
        withUnsafeBytes(of: value.timeIntervalSinceReferenceDate.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func raw(_ value: [UInt8]) { bytes += value }

    mutating func optional<T>(_ value: T?, _ write: (inout CacheWriter, T) -> Void) {
        guard let value else { return byte(0) }
        byte(1)
        write(&self, value)
    }

    mutating func array<T>(_ values: [T], _ write: (inout CacheWriter, T) -> Void) {
        varint(UInt64(values.count))
        for value in values { write(&self, value) }
    }

    mutating func value<T: CacheCodable>(_ value: T) { value.write(to: &self) }
}

/// Reads what ``CacheWriter`` wrote; every read is bounds-checked and throws on anything malformed.
struct CacheReader {
    struct Malformed: Error {}

    let bytes: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
    }

    var isAtEnd: Bool { position >= end }

    mutating func byte() throws -> UInt8 {
        guard position < end else { throw Malformed() }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            result |= UInt64(next & 0x7F) << shift
            if next < 0x80 { return result }
            shift += 7
            guard shift < 64 else { throw Malformed() }
        }
    }

    mutating func length() throws -> Int {
        let value = try varint()
        guard value <= UInt64(end - position) else { throw Malformed() }
        return Int(value)
    }

    mutating func int64() throws -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func int() throws -> Int {
        guard let value = Int(exactly: try int64()) else { throw Malformed() }
        return value
    }

    mutating func bool() throws -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw Malformed()
        }
    }

    mutating func span(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count <= end - position else { throw Malformed() }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    mutating func string() throws -> String {
        guard let text = String(validating: try span(try length()), as: UTF8.self) else { throw Malformed() }
        return text
    }

    mutating func date() throws -> Date {
        var bits: UInt64 = 0
        let raw = try span(8)
        withUnsafeMutableBytes(of: &bits) { $0.copyMemory(from: raw) }
        return Date(timeIntervalSinceReferenceDate: Double(bitPattern: UInt64(littleEndian: bits)))
    }

    mutating func optional<T>(_ read: (inout CacheReader) throws -> T) throws -> T? {
        try bool() ? try read(&self) : nil
    }

    mutating func array<T>(_ read: (inout CacheReader) throws -> T) throws -> [T] {
        let count = try varint()
        guard count <= UInt64(end - position) else { throw Malformed() }  // every element takes at least a byte
        var values: [T] = []
        values.reserveCapacity(Int(count))
        for _ in 0..<count { values.append(try read(&self)) }
        return values
    }

    mutating func value<T: CacheCodable>(_ type: T.Type = T.self) throws -> T { try T(from: &self) }

    mutating func rawEnum<T: RawRepresentable>(_ type: T.Type) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: try string()) else { throw Malformed() }
        return value
    }
}

/// A type with a byte form in the parse cache.
protocol CacheCodable {
    /// How many stored properties the byte form covers (checked against the type's real layout in tests).
    static var cachedFieldCount: Int { get }
    func write(to writer: inout CacheWriter)
    init(from reader: inout CacheReader) throws
}

extension SourceLocation: CacheCodable {
    static var cachedFieldCount: Int { 3 }
    func write(to writer: inout CacheWriter) {
        writer.string(path)
        writer.int(line)
        writer.int(column)
    }
    init(from reader: inout CacheReader) throws {
        self.init(path: try reader.string(), line: try reader.int(), column: try reader.int())
    }
}

extension SecretID: CacheCodable {
    static var cachedFieldCount: Int { 2 }
    func write(to writer: inout CacheWriter) {
        writer.string(project)
        writer.string(name)
    }
    init(from reader: inout CacheReader) throws {
        self.init(project: try reader.string(), name: try reader.string())
    }
}

extension RotorDuration: CacheCodable {
    static var cachedFieldCount: Int { 1 }
    func write(to writer: inout CacheWriter) { writer.int(seconds) }
    init(from reader: inout CacheReader) throws { self.init(seconds: try reader.int64()) }
}

extension GeneratorSpec: CacheCodable {
    static var cachedFieldCount: Int { 5 }
    func write(to writer: inout CacheWriter) {
        writer.string(kind.rawValue)
        writer.int(length)
        writer.string(characters)
        writer.string(charsetName)
        writer.optional(prefix) { $0.string($1) }
    }
    init(from reader: inout CacheReader) throws {
        let kind = try reader.rawEnum(Kind.self)
        let length = try reader.int()
        let characters = try reader.string()
        self.init(kind: kind, length: length, charsetName: try reader.string(), characters: characters,
                  prefix: try reader.optional { try $0.string() })
    }
}

extension Consumer: CacheCodable {
    static var cachedFieldCount: Int { 2 }
    func write(to writer: inout CacheWriter) {
        writer.string(service)
        writer.optional(webhook) { $0.string($1) }
    }
    init(from reader: inout CacheReader) throws {
        self.init(service: try reader.string(), webhook: try reader.optional { try $0.string() })
    }
}

extension RepoConfig.Identity: CacheCodable {
    static var cachedFieldCount: Int { 2 }
    func write(to writer: inout CacheWriter) {
        writer.string(name)
        writer.string(email)
    }
    init(from reader: inout CacheReader) throws {
        self.init(name: try reader.string(), email: try reader.string())
    }
}

extension RepoConfig: CacheCodable {
    static var cachedFieldCount: Int { 7 }
    func write(to writer: inout CacheWriter) {
        writer.array(recipients) { $0.string($1) }
        writer.optional(defaultPolicy) { $0.string($1) }
        writer.optional(defaultGracePeriod) { $0.value($1) }
        writer.optional(defaultWarnBefore) { $0.value($1) }
        writer.optional(commitAuthor) { $0.value($1) }
        writer.optional(signingKey) { $0.string($1) }
        writer.array(trustedSigners) { $0.string($1) }
    }
    init(from reader: inout CacheReader) throws {
        self.init(recipients: try reader.array { try $0.string() }, defaultPolicy: try reader.optional { try $0.string() },
                  defaultGracePeriod: try reader.optional { try $0.value() }, defaultWarnBefore: try reader.optional { try $0.value() },
                  commitAuthor: try reader.optional { try $0.value() })
        signingKey = try reader.optional { try $0.string() }
        trustedSigners = try reader.array { try $0.string() }
    }
}

extension Policy: CacheCodable {
    static var cachedFieldCount: Int { 6 }
    func write(to writer: inout CacheWriter) {
        writer.string(name)
        writer.value(location)
        writer.optional(rotateEvery) { $0.value($1) }
        writer.optional(gracePeriod) { $0.value($1) }
        writer.optional(warnBefore) { $0.value($1) }
        writer.optional(generator) { $0.value($1) }
    }
    init(from reader: inout CacheReader) throws {
        self.init(name: try reader.string(), location: try reader.value(), rotateEvery: try reader.optional { try $0.value() },
                  gracePeriod: try reader.optional { try $0.value() }, warnBefore: try reader.optional { try $0.value() },
                  generator: try reader.optional { try $0.value() })
    }
}

extension KeyPolicy: CacheCodable {
    static var cachedFieldCount: Int { 5 }
    func write(to writer: inout CacheWriter) {
        writer.string(name)
        writer.value(location)
        writer.optional(rotateEvery) { $0.value($1) }
        writer.value(overlap)
        writer.optional(maxAge) { $0.value($1) }
    }
    init(from reader: inout CacheReader) throws {
        self.init(name: try reader.string(), location: try reader.value(), rotateEvery: try reader.optional { try $0.value() },
                  overlap: try reader.value(), maxAge: try reader.optional { try $0.value() })
    }
}

extension SecretSpec: CacheCodable {
    static var cachedFieldCount: Int { 9 }
    func write(to writer: inout CacheWriter) {
        writer.value(id)
        writer.value(location)
        writer.string(policy)
        writer.optional(policyLocation) { $0.value($1) }
        writer.optional(generator) { $0.value($1) }
        writer.optional(externalValue) { $0.string($1) }
        writer.optional(externalValueDigest) { $0.string($1) }
        writer.array(consumers) { $0.value($1) }
        writer.optional(description) { $0.string($1) }
    }
    init(from reader: inout CacheReader) throws {
        let id: SecretID = try reader.value()
        let location: SourceLocation = try reader.value()
        let policy = try reader.string()
        let policyLocation: SourceLocation? = try reader.optional { try $0.value() }
        self.init(id: id, location: location, policy: policy, generator: try reader.optional { try $0.value() },
                  externalValue: try reader.optional { try $0.string() }, externalValueDigest: try reader.optional { try $0.string() },
                  consumers: try reader.array { try $0.value() }, description: try reader.optional { try $0.string() })
        self.policyLocation = policyLocation
    }
}

extension ApiKeySpec: CacheCodable {
    static var cachedFieldCount: Int { 10 }
    func write(to writer: inout CacheWriter) {
        writer.value(id)
        writer.value(location)
        writer.string(type.rawValue)
        writer.array(scopes) { $0.string($1) }
        writer.string(policy)
        writer.optional(policyLocation) { $0.value($1) }
        writer.optional(expiresAt) { $0.date($1) }
        writer.bool(revoked)
        writer.optional(revokeReason) { $0.string($1) }
        writer.array(consumers) { $0.value($1) }
    }
    init(from reader: inout CacheReader) throws {
        self.init(id: try reader.value(), location: try reader.value(), type: try reader.rawEnum(ApiKeyType.self),
                  scopes: try reader.array { try $0.string() }, policy: try reader.string(),
                  policyLocation: try reader.optional { try $0.value() }, expiresAt: try reader.optional { try $0.date() },
                  revoked: try reader.bool(), revokeReason: try reader.optional { try $0.string() },
                  consumers: try reader.array { try $0.value() })
    }
}

extension SecretVersion: CacheCodable {
    static var cachedFieldCount: Int { 13 }
    func write(to writer: inout CacheWriter) {
        writer.string(id)
        writer.int(version)
        writer.string(state.rawValue)
        writer.date(createdAt)
        writer.string(createdBy)
        writer.optional(rotatedFrom) { $0.int($1) }
        writer.string(rotationReason)
        writer.optional(graceExpiresAt) { $0.date($1) }
        writer.string(source.rawValue)
        writer.optional(sourceDigest) { $0.string($1) }
        writer.array(recipients) { $0.string($1) }
        writer.string(valueEncrypted)
        writer.optional(rolledBackTo) { $0.int($1) }
    }
    init(from reader: inout CacheReader) throws {
        self.init(id: try reader.string(), version: try reader.int(), state: try reader.rawEnum(State.self), createdAt: try reader.date(),
                  createdBy: try reader.string(), rotatedFrom: try reader.optional { try $0.int() }, rotationReason: try reader.string(),
                  graceExpiresAt: try reader.optional { try $0.date() }, source: try reader.rawEnum(Source.self),
                  sourceDigest: try reader.optional { try $0.string() }, recipients: try reader.array { try $0.string() },
                  valueEncrypted: try reader.string(), rolledBackTo: try reader.optional { try $0.int() })
    }
}

extension VersionFile: CacheCodable {
    static var cachedFieldCount: Int { 2 }
    func write(to writer: inout CacheWriter) {
        writer.value(secret)
        writer.array(versions) { $0.value($1) }
    }
    init(from reader: inout CacheReader) throws {
        self.init(secret: try reader.value(), versions: try reader.array { try $0.value() })
    }
}
