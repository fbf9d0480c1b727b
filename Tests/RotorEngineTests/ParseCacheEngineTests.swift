import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorSpecs
import RotorTesting

@Suite("Parse cache in a real repository")
struct ParseCacheEngineTests {
    static let now = RFC3339.parse("2026-12-02T00:00:00Z")!

    @Test func aSecondPlanReadsNothingFromGitAndPlansTheSame() throws {
        let repo = try SecretsRepoFixture()
        _ = try repo.engine().apply(now: Self.now)
        let cold = try repo.engine()
        let first = try cold.plan(now: Self.now.addingTimeInterval(86_400 * 40))
        #expect(FileManager.default.fileExists(atPath: repo.root + "/.git/rotor/parse-cache"))

        let warm = try repo.engine()
        let second = try warm.plan(now: Self.now.addingTimeInterval(86_400 * 40))
        let cache = try #require(warm.parseCache)
        #expect(cache.misses == 0 && cache.hits > 0)
        #expect(second.renderText() == first.renderText())
        #expect(!second.actions.isEmpty)  // something is due: the cached version files carry their dates

        // `git fsck` is not bothered by rotor's folder in .git.
        #expect(try Shell.run("git", ["-C", repo.root, "fsck", "--no-progress"]).status == 0)
    }

    @Test func theVersionFilesAnApplyCommitsAreCachedAsAFreshReadWouldParseThem() throws {
        // Given a repository whose first apply wrote version files,
        let repo = try SecretsRepoFixture()
        let applied = try repo.engine().apply(now: Self.now)
        #expect(applied.commit != nil)
        // the next command finds every file of the new revision in the cache (none read from git or parsed),
        let next = try repo.engine()
        let cached = try next.snapshot()
        let cache = try #require(next.parseCache)
        #expect(cache.misses == 0 && cache.hits > 0, "hits \(cache.hits), misses \(cache.misses)")
        // and what it holds is exactly what parsing the committed files gives.
        let fresh = try Snapshot.load(repository: next.repository, revision: try next.head(), cache: nil)
        #expect(!fresh.versionFiles.isEmpty)
        #expect(cached.versionFiles == fresh.versionFiles)
    }

    @Test func anEditAfterCachingIsSeenAndAnErrorStillFails() throws {
        let repo = try SecretsRepoFixture()
        _ = try repo.engine().plan(now: Self.now)
        try repo.commit(["secrets/payments/db-password.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "db-password", policy: "no-such-policy")])
        #expect(throws: ValidationFailure.self) { try repo.engine().plan(now: Self.now) }
        let output = try repo.rotor(["plan"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("secrets/payments/db-password.yaml"))
        #expect(output.stderr.contains("unknown policy \"no-such-policy\""))
    }

    @Test func theCacheCanBeTurnedOff() throws {
        let repo = try SecretsRepoFixture()
        let path = repo.root + "/.git/rotor/parse-cache"
        try? FileManager.default.removeItem(atPath: path)
        let off = try repo.rotor(["plan", "--at", "2026-12-02T00:00:00Z"], environment: ["ROTOR_PARSE_CACHE": "off"])
        #expect(off.status == 0, "\(off.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path))
        let on = try repo.rotor(["plan", "--at", "2026-12-02T00:00:00Z"])
        #expect(on.stdout == off.stdout)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func aRelativeStatePathIsTakenFromTheCurrentFolder() throws {
        let repo = try SecretsRepoFixture()
        let output = try Shell.run(Shell.rotorExecutable, ["apply", "--repo", repo.root, "--state", "state.db", "--at", "2026-12-02T00:00:00Z"],
                                   environment: ["GNUPGHOME": repo.keyring.path], directory: repo.directory.path)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(FileManager.default.fileExists(atPath: repo.directory.path("state.db")))
    }
}
