import Foundation
import Testing
import RotorCore
import RotorTesting

/// `rotor daemon` against a remote over HTTP that asks for a credential (`git http-backend` behind
/// Basic auth): a token from the environment or in the URL is used, and stored or shown nowhere.
@Suite("rotor daemon: an HTTP remote with credentials")
struct HTTPRemoteTests {
    let db = SecretID(project: "payments", name: "db-password")
    let token = "canary-git-token-6183"

    func arguments(_ fixture: RemoteFixture, remote: String, at: String) -> [String] {
        var arguments = fixture.daemonArguments(at: at)
        arguments[arguments.firstIndex(of: fixture.remote)!] = remote
        return arguments
    }

    func everything(_ output: Shell.Output) -> String { output.stdout + output.stderr }

    @Test func aTokenFromTheEnvironmentOrTheURLIsUsedAndNeverStored() throws {
        let fixture = try RemoteFixture()
        let server = try GitHTTPRemote(root: fixture.seed.directory.path, user: "x-access-token", password: token)
        let plain = server.url("remote.git")
        let config = fixture.workdir + "/.git/config"

        // Without a credential the remote refuses: the pass fails on the clone, saying why, and nothing is pushed.
        let refused = try fixture.rotor(arguments(fixture, remote: plain, at: "2026-12-01T00:00:00Z"))
        #expect(refused.status == 1, "\(everything(refused))")
        #expect(everything(refused).contains("cannot clone \(plain)"), "\(everything(refused))")
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main").isEmpty)

        // A wrong token is tried once, not replayed: the remote sees one attempt per operation.
        let wrong = try fixture.rotor(arguments(fixture, remote: plain, at: "2026-12-01T00:00:00Z"), environment: ["ROTOR_GIT_TOKEN": "not-it"])
        #expect(wrong.status == 1, "\(everything(wrong))")
        #expect(try server.requests().filter { $0.auth == "wrong" }.count == 1)

        // ROTOR_GIT_TOKEN: cloned, applied, pushed.
        let created = try fixture.rotor(arguments(fixture, remote: plain, at: "2026-12-01T00:00:00Z"), environment: ["ROTOR_GIT_TOKEN": token])
        #expect(created.status == 0, "\(everything(created)) \((try? server.requests()) ?? [])")
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db]?.versions.map(\.version) == [1])

        // The token in --remote: used for fetch and push (the rotation lands), never written to
        // the clone's config, never in a log line; a warning says where it can still be seen.
        let withToken = server.url("remote.git", userInfo: "x-access-token:\(token)")
        let rotated = try fixture.rotor(arguments(fixture, remote: withToken, at: "2027-01-05T00:00:00Z"))
        #expect(rotated.status == 0, "\(everything(rotated))")
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db]?.versions.map(\.version) == [2, 1])
        #expect(everything(rotated).contains("prefer ROTOR_GIT_TOKEN"))
        #expect(!everything(rotated).contains(token))
        #expect(try !String(contentsOfFile: config, encoding: .utf8).contains(token))

        // A clone made with the token stored in its config (as older versions of rotor left it) is cleaned.
        #expect(try Shell.run("git", ["-C", fixture.workdir, "remote", "set-url", "origin", withToken]).status == 0)
        let cleaned = try fixture.rotor(arguments(fixture, remote: withToken, at: "2027-01-05T00:00:00Z"))
        #expect(cleaned.status == 0, "\(everything(cleaned))")
        #expect(everything(cleaned).contains("removed the credential the clone's git config held"))
        #expect(try !String(contentsOfFile: config, encoding: .utf8).contains(token))
        #expect(!everything(cleaned).contains(token))

        // A first clone with the token in --remote stores the URL without it.
        let second = fixture.seed.directory.path("clone2")
        var fresh = arguments(fixture, remote: withToken, at: "2027-01-05T00:00:00Z")
        fresh[fresh.firstIndex(of: fixture.workdir)!] = second
        fresh[fresh.firstIndex(of: fixture.statePath)!] = fixture.seed.directory.path("dstate2/state.db")
        let cloned = try fixture.rotor(fresh)
        #expect(cloned.status == 0, "\(everything(cloned))")
        let secondConfig = try String(contentsOfFile: second + "/.git/config", encoding: .utf8)
        #expect(secondConfig.contains("url = \(plain)") && !secondConfig.contains(token))
        #expect(try CrashInvariants.violations(fixture).isEmpty)
    }
}
