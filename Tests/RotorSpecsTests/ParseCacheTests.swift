import Foundation
import Testing
@testable import RotorCore
@testable import RotorSpecs

@Suite("Parse cache: byte form of every cached type")
struct CacheCodingTests {
    static let location = SourceLocation(path: "secrets/payments/db.yaml", line: 7, column: 11)
    static let generator = GeneratorSpec(kind: .password, length: 40, charsetName: "digits", characters: "0123456789", prefix: "pw_")
    static let consumers = [Consumer(service: "billing-api", webhook: "https://billing.example/hooks"), Consumer(service: "batch")]
    static let t0 = RFC3339.parse("2027-01-01T00:00:00.123Z")!

    /// Every type with every optional field set, so a lost field shows as a difference.
    static var config: RepoConfig {
        var config = RepoConfig(recipients: ["A", "B"], defaultPolicy: "db", defaultGracePeriod: RotorDuration(seconds: 3600),
                                defaultWarnBefore: RotorDuration(seconds: 60), commitAuthor: .init(name: "rotor", email: "r@x"))
        config.signingKey = "ABCDEF"
        config.trustedSigners = ["S1", "S2"]
        return config
    }
    static let policy = Policy(name: "db", location: location, rotateEvery: RotorDuration(seconds: 86_400), gracePeriod: RotorDuration(seconds: 7200),
                               warnBefore: RotorDuration(seconds: 600), generator: generator)
    static let keyPolicy = KeyPolicy(name: "k", location: location, rotateEvery: RotorDuration(seconds: 9), overlap: RotorDuration(seconds: 8),
                                     maxAge: RotorDuration(seconds: 7))
    static var secret: SecretSpec {
        var spec = SecretSpec(id: SecretID(project: "payments", name: "db"), location: location, policy: "db", generator: generator,
                              externalValue: "-----BEGIN PGP MESSAGE-----\n\nhF4D\n-----END PGP MESSAGE-----\n",
                              externalValueDigest: "sha256:00", consumers: consumers, description: "the ledger database ✓")
        spec.policyLocation = SourceLocation(path: "secrets/payments/db.yaml", line: 9, column: 3)
        return spec
    }
    static let key = ApiKeySpec(id: SecretID(project: "payments", name: "ingest"), location: location, type: .serviceRole, scopes: ["a:read", "b"],
                                policy: "k", policyLocation: location, expiresAt: t0, revoked: true, revokeReason: "leak", consumers: consumers)
    static let version = SecretVersion(id: "v", version: 3, state: .grace, createdAt: t0, createdBy: "alice", rotatedFrom: 2, rotationReason: "why\nnot",
                                       graceExpiresAt: t0.addingTimeInterval(0.5), source: .external, sourceDigest: "sha256:ff",
                                       recipients: [String(repeating: "A", count: 40), String(repeating: "B", count: 64)], valueEncrypted: "-----BEGIN PGP MESSAGE-----\n\nhF4D\n-----END PGP MESSAGE-----\n",
                                       rolledBackTo: 1)

    func roundTrip<T: CacheCodable & Equatable>(_ value: T) throws {
        var writer = CacheWriter()
        value.write(to: &writer)
        let back: T = try writer.bytes.withUnsafeBytes { buffer in
            var reader = CacheReader(buffer)
            let value = try T(from: &reader)
            #expect(reader.isAtEnd)
            return value
        }
        #expect(back == value)
        // Every stored property is written: a new field must be added to CacheCoding.swift.
        #expect(Mirror(reflecting: value).children.count == T.cachedFieldCount, "\(T.self) has fields the parse cache does not store")
    }

    @Test func everyTypeRoundTripsWithEveryField() throws {
        try roundTrip(Self.location)
        try roundTrip(SecretID(project: "p", name: "n"))
        try roundTrip(RotorDuration(seconds: -5))
        try roundTrip(Self.generator)
        try roundTrip(Self.consumers[0])
        try roundTrip(Self.config.commitAuthor!)
        try roundTrip(Self.config)
        try roundTrip(Self.policy)
        try roundTrip(Self.keyPolicy)
        try roundTrip(Self.secret)
        try roundTrip(Self.key)
        try roundTrip(Self.version)
        try roundTrip(VersionFile(secret: SecretID(project: "p", name: "n"), versions: [Self.version]))
    }

    @Test func truncatedOrGarbledBytesThrowInsteadOfGuessing() {
        var writer = CacheWriter()
        Self.secret.write(to: &writer)
        let bytes = writer.bytes
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            let prefix = Array(bytes[0..<cut])
            #expect(throws: (any Error).self) {
                try prefix.withUnsafeBytes { buffer in
                    var reader = CacheReader(buffer)
                    _ = try SecretSpec(from: &reader)
                }
            }
        }
    }
}

@Suite("Parse cache: loading specs and version files")
struct ParseCacheTests {
    static let versionText = VersionFile(secret: SecretID(project: "payments", name: "db"), versions: [CacheCodingTests.version]).canonicalText()

    static func files(_ overrides: [String: String] = [:]) -> [SourceFile] {
        var texts = ["rotor.yaml": SpecLoaderTests.config, "policies/database-credentials.yaml": SpecLoaderTests.policy,
                     "secrets/payments/db.yaml": SpecLoaderTests.secret, "versions/payments/db.yaml": versionText]
        for (path, text) in overrides { texts[path] = text }
        // A stand-in blob id: the content's hash, as git's is.
        return texts.sorted { $0.key < $1.key }.map { SourceFile(path: $0.key, bytes: Array($0.value.utf8), blobID: String($0.value.hashValue, radix: 16)) }
    }

    func scratch() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-parse-cache-\(UUID().uuidString)").path
        return directory + "/rotor/parse-cache"
    }

    /// Loads `files` the way a snapshot does: cached files decoded, others read.
    func load(_ files: [SourceFile], cache: ParseCache) -> (DesiredState?, [SecretID: VersionFile], [Diagnostic]) {
        let entries = files.map { (path: $0.path, blobID: $0.blobID!) }
        let resolved = cache.files(entries) { $0.map { files[$0].bytes } }
        let specs = resolved.filter { !$0.path.hasPrefix("versions/") }
        let (desired, specProblems) = SpecLoader.load(files: specs, revision: "r1", cache: cache)
        let (versions, versionProblems) = VersionFileParser.parse(files: resolved.filter { $0.path.hasPrefix("versions/") }, cache: cache)
        cache.save()
        return (desired, versions, specProblems + versionProblems)
    }

    @Test func aSecondLoadComesFromTheCacheAndEqualsAFreshParse() throws {
        let path = scratch()
        let first = ParseCache(path: path)
        let (desired, versions, problems) = load(Self.files(), cache: first)
        #expect(problems.isEmpty, "\(problems)")
        #expect(first.hits == 0 && first.misses == 4)
        #expect(FileManager.default.fileExists(atPath: path))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let second = ParseCache(path: path)
        #expect(second.count == 4)
        let withoutBytes = Self.files().map { SourceFile(path: $0.path, bytes: [], blobID: $0.blobID) }  // a read would show as a parse error
        let (again, versionsAgain, problemsAgain) = load(withoutBytes, cache: second)
        #expect(problemsAgain.isEmpty, "\(problemsAgain)")
        #expect(second.hits == 4 && second.misses == 0)
        #expect(again?.config == desired?.config)
        #expect(again?.policies == desired?.policies)
        #expect(again?.secrets == desired?.secrets)
        #expect(versionsAgain == versions)
    }

    @Test func filesWithDiagnosticsAreNeverCachedAndKeepReportingThem() {
        let path = scratch()
        let broken = SpecLoaderTests.secret.replacingOccurrences(of: "  policy: database-credentials\n", with: "  policy: database-credentials\n  colour: red\n")
        let files = Self.files(["secrets/payments/db.yaml": broken])
        let (desired, _, problems) = load(files, cache: ParseCache(path: path))
        #expect(desired == nil)
        #expect(problems.contains { $0.location.path == "secrets/payments/db.yaml" && $0.severity == .error })
        let second = ParseCache(path: path)
        #expect(second.count == 3)
        let (_, _, again) = load(files, cache: second)
        #expect(again.map(\.description) == problems.map(\.description))
        #expect(second.misses == 1)
    }

    @Test func crossFileRulesStillRunOnCachedSpecs() {
        let path = scratch()
        _ = load(Self.files(), cache: ParseCache(path: path))
        // The cached secret names a policy that is gone now.
        var files = Self.files()
        files.removeAll { $0.path.hasPrefix("policies/") }
        let (desired, _, problems) = load(files, cache: ParseCache(path: path))
        #expect(desired == nil)
        #expect(problems.contains { $0.message.contains("unknown policy \"database-credentials\"") })
    }

    @Test func aChangedBlobIsParsedAgain() throws {
        let path = scratch()
        _ = load(Self.files(), cache: ParseCache(path: path))
        let edited = SpecLoaderTests.secret.replacingOccurrences(of: "billing-api", with: "ledger-api")
        let cache = ParseCache(path: path)
        let (desired, _, problems) = load(Self.files(["secrets/payments/db.yaml": edited]), cache: cache)
        #expect(problems.isEmpty)
        #expect(cache.misses == 1 && cache.hits == 3)
        #expect(desired?.secrets[SecretID(project: "payments", name: "db")]?.consumers.first?.service == "ledger-api")
        // The save keeps only what was used: the old blob's entry is gone.
        #expect(ParseCache(path: path).count == 4)
    }

    @Test func aDamagedTornOrForeignFileIsIgnored() throws {
        let path = scratch()
        _ = load(Self.files(), cache: ParseCache(path: path))
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(ParseCache(path: path).count == 4)

        var flipped = good
        flipped[good.count / 2] ^= 0x40
        try flipped.write(to: URL(fileURLWithPath: path))
        #expect(ParseCache(path: path).count == 0)

        try good.prefix(good.count - 3).write(to: URL(fileURLWithPath: path))
        #expect(ParseCache(path: path).count == 0)

        // Another build's cache (the identity differs), another format's (its version differs,
        // its identity is this build's), and this build's own, each with a valid checksum and
        // the same entries as the good file: only the last is read.
        let entries = try #require(good.withUnsafeBytes { buffer -> [UInt8]? in
            var reader = CacheReader(UnsafeRawBufferPointer(rebasing: buffer[0..<(buffer.count - 8)]))
            guard (try? reader.span(ParseCache.magic.count)) != nil, (try? reader.varint()) != nil, (try? reader.string()) != nil else { return nil }
            return Array(buffer[reader.position..<(buffer.count - 8)])
        })
        for (version, identity, read) in [(ParseCache.formatVersion, "build-id:0123456789abcdef", 0),
                                          (ParseCache.formatVersion + 1, ParseCache.identity, 0),
                                          (ParseCache.formatVersion, ParseCache.identity, 4)] {
            var writer = CacheWriter()
            writer.raw(ParseCache.magic)
            writer.varint(version)
            writer.string(identity)
            writer.raw(entries)
            var bytes = writer.bytes
            withUnsafeBytes(of: ParseCache.checksum(bytes).littleEndian) { bytes += $0 }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(ParseCache(path: path).count == read, "format \(version), \(identity)")
        }

        // Whatever was there, loading still gives the right answer, and the file is rewritten.
        let cache = ParseCache(path: path)
        let (desired, _, problems) = load(Self.files(), cache: cache)
        #expect(problems.isEmpty && desired != nil)
        #expect(ParseCache(path: path).count == 4)
    }

    @Test func aLongLivedCacheWhoseLoadsAllHitStaysBounded() {
        let path = scratch()
        let cache = ParseCache(path: path)
        _ = load(Self.files(), cache: cache)
        let entries = Self.files().map { (path: $0.path, blobID: $0.blobID!) }
        for _ in 0..<2_000 { _ = cache.files(entries) { _ in [] } }  // every one a hit: nothing to save
        #expect(cache.hits == 8_000)
        #expect(cache.used.count <= 2 * 4 + 1_024)
    }

    @Test func theSavingProcessReadsWhatItWroteAndStaleTemporariesGo() throws {
        let path = scratch()
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stale = path + ".tmp-1-1", fresh = path + ".tmp-2-2"
        for file in [stale, fresh] { _ = FileManager.default.createFile(atPath: file, contents: Data("torn".utf8)) }
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7_200)], ofItemAtPath: stale)
        let cache = ParseCache(path: path)
        _ = load(Self.files(), cache: cache)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: fresh))  // maybe another rotor's write in progress
        // The same process, after its save: every file comes from what it wrote.
        let withoutBytes = Self.files().map { SourceFile(path: $0.path, bytes: [], blobID: $0.blobID) }
        let (_, _, problems) = load(withoutBytes, cache: cache)
        #expect(problems.isEmpty, "\(problems)")
        #expect(cache.hits == 4)
    }

    /// The cache's build identity is the executable's GNU build id (not its size or times),
    /// the same one `readelf -n` shows.
    @Test func theBuildIdentityIsTheExecutablesBuildIDNotItsTimes() throws {
        #expect(ParseCache.identity.hasPrefix("build-id:"))
        let readelf = Process()
        readelf.executableURL = URL(fileURLWithPath: "/usr/bin/readelf")
        readelf.arguments = ["-n", "/proc/\(getpid())/exe"]
        let pipe = Pipe()
        readelf.standardOutput = pipe
        try readelf.run()
        let shown = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        readelf.waitUntilExit()
        let id = try #require(shown.split(separator: "\n").first { $0.contains("Build ID:") }?.split(separator: " ").last)
        #expect(ParseCache.identity == "build-id:\(id)")
    }

    @Test func theEnvironmentCanTurnTheCacheOff() {
        #expect(ParseCache.forRepository(gitDirectory: "/x", environment: ["ROTOR_PARSE_CACHE": "off"]) == nil)
        #expect(ParseCache.forRepository(gitDirectory: "/x/.git", environment: [:])?.path == "/x/.git/rotor/parse-cache")
    }
}
