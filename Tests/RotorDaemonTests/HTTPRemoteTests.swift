import Foundation
import Testing
import RotorCore
import RotorTesting

/// `rotor daemon` against remotes that ask for credentials: over HTTP (`git http-backend` behind
/// Basic auth), a token from the environment or in the URL, stored or shown nowhere; over SSH
/// (OpenSSH's sshd), a key file, a key with a passphrase, or the agent, and the host key checked.
@Suite("rotor daemon: remotes that ask for credentials")
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

    @Test func anSSHRemoteWithAKeyFileAPassphraseOrTheAgentAndAKnownHostKey() throws {
        let fixture = try RemoteFixture()
        let ssh = try SSHRemote()
        let url = ssh.url(fixture.remote)
        let accepted = { ssh.log.components(separatedBy: "Accepted publickey").count - 1 }

        // A host key not in known_hosts: refused before any key is offered, saying what to do.
        let stranger = try fixture.rotor(arguments(fixture, remote: url, at: "2026-12-01T00:00:00Z"),
                                         environment: ["HOME": ssh.strangerHome, "ROTOR_GIT_SSH_KEY": ssh.plainKey])
        #expect(stranger.status == 1, "\(everything(stranger))")
        #expect(everything(stranger).contains("known_hosts"), "\(everything(stranger))")
        #expect(accepted() == 0)

        // A key file: cloned, applied, pushed.
        let created = try fixture.rotor(arguments(fixture, remote: url, at: "2026-12-01T00:00:00Z"),
                                        environment: ["HOME": ssh.home, "ROTOR_GIT_SSH_KEY": ssh.plainKey])
        #expect(created.status == 0, "\(everything(created))\n\(ssh.log)")
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db]?.versions.map(\.version) == [1])

        // A wrong passphrase: the pass fails at the fetch, once, and pushes nothing.
        let wrong = try fixture.rotor(arguments(fixture, remote: url, at: "2027-01-05T00:00:00Z"),
                                      environment: ["HOME": ssh.home, "ROTOR_GIT_SSH_KEY": ssh.protectedKey, "ROTOR_GIT_SSH_PASSPHRASE": "not-it"])
        #expect(wrong.status == 1, "\(everything(wrong))")
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db]?.versions.map(\.version) == [1])

        // The key with its passphrase: the rotation is pushed, and the passphrase is in no output.
        let rotated = try fixture.rotor(arguments(fixture, remote: url, at: "2027-01-05T00:00:00Z"),
                                        environment: ["HOME": ssh.home, "ROTOR_GIT_SSH_KEY": ssh.protectedKey, "ROTOR_GIT_SSH_PASSPHRASE": ssh.passphrase])
        #expect(rotated.status == 0, "\(everything(rotated))")
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db]?.versions.map(\.version) == [2, 1])
        #expect(!everything(rotated).contains(ssh.passphrase) && !everything(wrong).contains("not-it"))

        // No key file: the running agent's key.
        let socket = try ssh.agent()
        let before = accepted()
        let viaAgent = try fixture.rotor(arguments(fixture, remote: url, at: "2027-01-05T00:00:00Z"),
                                         environment: ["HOME": ssh.home, "SSH_AUTH_SOCK": socket])
        #expect(viaAgent.status == 0, "\(everything(viaAgent))")
        #expect(accepted() > before)
        #expect(try CrashInvariants.violations(fixture).isEmpty)
    }
}
