import Foundation
import Testing
import RotorCore
import RotorTesting

/// The daemon serves the control plane over its clone: reads from it, writes as passes pushed
/// to the remote before they are answered, proposals as branches on the remote.
@Suite("Daemon: the API over its clone")
struct DaemonAPITests {
    static let keys: [String: String?] = [
        "policies/control-plane.yaml": SecretsRepoFixture.keyPolicy(name: "control-plane", rotateEvery: "90d", overlap: "24h"),
        "keys/rotor/admin.yaml": SecretsRepoFixture.apiKey(project: "rotor", name: "admin", scopes: ["rotor:admin"],
                                                           policy: "control-plane", consumers: ["ops"]),
    ]

    @Test func writesThroughTheDaemonsAPIAreOnTheRemoteBeforeTheyAreAnswered() throws {
        let fixture = try RemoteFixture(files: Self.keys)
        let daemon = try RunningProcess(Shell.rotorExecutable,
                                        fixture.daemonArguments(once: false, at: "2026-12-01T00:00:00Z",
                                                                extra: ["--interval", "1h", "--listen", "127.0.0.1:0", "--log-format", "json"]),
                                        environment: ["GNUPGHOME": fixture.seed.keyring.path], directory: fixture.seed.directory.path)
        #expect(waitUntil(timeout: 60) { daemon.stdout.contains("pass finished") }, "\(daemon.stdout)\(daemon.stderr)")
        let port = try #require(DaemonCLITests.listeningPort(daemon.stdout))
        let admin = try fixture.rotor(["get", "rotor/admin", "--key", "--no-newline", "--repo", fixture.workdir, "--state", fixture.statePath,
                                       "--at", "2026-12-01T00:00:00Z"]).stdout
        let client = APIClient(baseURL: "http://127.0.0.1:\(port)", directory: fixture.seed.directory)

        // A read answers from the clone: the same value rotor get reads there.
        let read = try client.request("GET", "/v1/secrets/payments/db-password/value", key: admin)
        #expect(read.status == 200, "\(read.body)")
        let value = try fixture.rotor(["get", "payments/db-password", "--no-newline", "--repo", fixture.workdir, "--state", fixture.statePath,
                                       "--at", "2026-12-01T00:00:00Z"]).stdout
        #expect(try read.json()["value"] as? String == value)

        // A rotation is a pass of its own: when it is answered, the remote has v2.
        let before = try fixture.remoteTip()
        let rotated = try client.request("POST", "/v1/secrets/payments/db-password/rotate", key: admin, json: #"{"reason":"through the daemon"}"#)
        #expect(rotated.status == 200, "\(rotated.body)\(daemon.stdout)")
        let commit = try #require(try rotated.json()["commit"] as? String)
        #expect(try fixture.remoteTip() != before)
        #expect(try fixture.remoteContains(commit))
        #expect(try fixture.remoteFile("versions/payments/db-password.yaml")?.contains("rotationReason: \"through the daemon\"") == true)

        // A proposal is a branch on the remote, never a commit on main.
        let tip = try fixture.remoteTip()
        let proposed = try client.request("POST", "/v1/secrets", key: admin,
                                          json: #"{"project":"payments","name":"ledger-token","policy":"database-credentials","reason":"ledger needs one"}"#)
        #expect(proposed.status == 202, "\(proposed.body)")
        let branch = try #require(try proposed.json()["branch"] as? String)
        #expect(try fixture.remoteGit(["branch", "--list", branch]).contains(branch))
        #expect(try fixture.remoteTip() == tip)

        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(timeout: 30) == 0, "\(daemon.stdout)\(daemon.stderr)")
        #expect(!daemon.stdout.contains(value) && !daemon.stderr.contains(value) && !daemon.stdout.contains(admin))
    }
}
