import Foundation
import Testing
import RotorCore
import RotorTesting

/// The management page in a real browser: headless Chromium (Debian) driven by Selenium (PyPI)
/// through `scripts/browser-test`, against a real `rotor serve` over real specs, with an
/// independent webhook receiver. curl checks what a browser would never send (forged forms).
///
/// The page images go to `ROTOR_SCREENSHOTS` when it is set (`docs/images` refreshes the
/// README's), else to a throwaway folder: every run takes them, so the code that makes them is
/// always exercised.
@Suite("The management page in a real browser", .serialized)
struct BrowserTests {
    static let secret = "payments/db-password"

    @Test func everyPageWorksInChromiumThroughTheHandlers() throws {
        try Self.ensureBrowser()
        let receiver = try WebhookReceiver(routes: [
            .init("/hooks/rotor", service: "billing-api"), .init("/flaky", service: "ledger", behaviour: "status=500"),
            .init("/gone", service: "notifier", behaviour: "status=410"),
        ])
        let fixture = try APIFixture(extraFiles: Self.specs(receiver))
        try receiver.setSecrets(Dictionary(uniqueKeysWithValues: try ["billing-api", "ledger", "notifier"].map {
            ($0, [try fixture.get("webhooks/\($0)", at: APIFixture.at())])
        }))
        // The first deliveries: billing-api answers, ledger fails (its job waits for a retry), notifier's 410 disables it.
        _ = try fixture.repo.rotor(["deliver", "--at", APIFixture.at(hours: 1)])
        let canary = try fixture.get(Self.secret)
        let server = try fixture.serve(at: APIFixture.at(hours: 2))
        let listed = try #require(try server.request("GET", "/v1/secrets", key: fixture.admin).json()["secrets"] as? [[String: Any]])
            .compactMap { $0["id"] as? String }
        #expect(try #require(listed.firstIndex(of: "search/s2")) < #require(listed.firstIndex(of: "search/s10")))

        try forgedFormsAreRefusedAndChangeNothing(server: server, fixture: fixture, canary: canary)

        // The browser: every page, every action, the screenshots.
        let work = try TemporaryDirectory(prefix: "bt")
        let run = try Self.runBrowser(server: server, fixture: fixture, canary: canary, secrets: listed, work: work)
        let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work.path("results.json")))) as? [String: Any])
        #expect(results["ok"] as? Bool == true, "\(results["failure"] ?? "no result") at \(results["failureURL"] ?? "?")\n\(run.stdout)\n\(run.stderr)\n\(server.process.stderr.suffix(3_000))")
        guard results["ok"] as? Bool == true else { return }

        // Rotate and roll back through the page: git has v2 and v3, v3 carries v1's value, the
        // store audited both with the admin key as actor, and the consumer heard of each.
        let versions = try fixture.repo.git(["show", "HEAD:versions/\(Self.secret).yaml"])
        #expect(versions.contains("version: 3"), "\(versions)")
        #expect(try fixture.get(Self.secret, at: APIFixture.at(hours: 3)) == canary)
        let rotated = try fixture.audit("secret.rotated").filter { ($0["actor"] as? String)?.hasPrefix("rotor/admin v1") == true }
        #expect(!rotated.isEmpty)
        #expect(try fixture.audit("secret.rolled_back").contains { ($0["actor"] as? String)?.hasPrefix("rotor/admin v1") == true })
        #expect(waitUntil(timeout: 30) {
            let bodies = ((try? receiver.requests()) ?? []).filter { $0.service == "billing-api" && !$0.verifiedWith.isEmpty }.map(\.body)
            return bodies.contains { $0.contains("\"new_version\":2") } && bodies.contains { $0.contains("\"new_version\":3") }
        }, "\((try? receiver.requests().map(\.body)) ?? [])")

        // The Reveal was audited as a value read by the admin key; no other read came from the page.
        let reads = try fixture.audit("secret.accessed").filter { ($0["actor"] as? String)?.hasPrefix("rotor/admin v1") == true }
        #expect(reads.count == 1)

        // No value reached any response but the Reveal's: not v1's, nor the v2 the page rotated to.
        let v2 = try fixture.get(Self.secret, at: APIFixture.at(hours: 3), version: 2)
        let bodies = try String(contentsOfFile: work.path("bodies.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(bodies.count > 20)
        for line in bodies {
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let body = seen["body"] as? String ?? ""
            #expect(!body.contains(v2), "v2's value in \(seen["url"] ?? "")")
            if seen["reveal"] as? Bool != true { #expect(!body.contains(canary), "the value in \(seen["url"] ?? "")") }
        }

        // The keys revoked through the page are refused by `rotor keys verify`.
        for key in [fixture.stranger, fixture.admin] {
            let verdict = try fixture.verify(key, at: APIFixture.at(hours: 3))
            #expect(verdict.status == 1)
            #expect(verdict.stdout.contains("revoked"), "\(verdict.stdout)")
        }
        #expect(try Shell.run("git", ["-C", fixture.repo.root, "fsck", "--strict"]).status == 0)

        // Proposals: a branch each, with the spec change, and nothing on the reconciled branch.
        let branches = try #require(results["proposals"] as? [String])
        #expect(branches.count == 2)
        if branches.count == 2 {
            #expect(try fixture.repo.git(["show", "--stat", "--format=%s", branches[0]]).contains("secrets/search/s11.yaml"))
            #expect(try fixture.repo.git(["show", "--stat", "--format=%s", branches[1]]).contains("secrets/search/s10.yaml"))
        }
        #expect(try fixture.repo.git(["ls-files", "secrets/search"]).contains("s10.yaml"))
        #expect(!(try fixture.repo.git(["ls-files", "secrets/search"]).contains("s11.yaml")))
    }

    /// Forms a browser would never send from the page: each is 403 and changes nothing.
    func forgedFormsAreRefusedAndChangeNothing(server: APIServer, fixture: APIFixture, canary: String) throws {
        let head = try fixture.repo.git(["rev-parse", "HEAD"])
        let page = PageClient(server: server)
        let signInPage = try page.get("/")
        #expect(signInPage.status == 200)
        let signInToken = try #require(PageClient.csrf(in: signInPage.body))
        // Sign-in itself needs its token (no logging a victim into an attacker's session).
        #expect(try page.post("/signin", [("key", fixture.admin)]).status == 403)
        #expect(try PageClient(server: server).post("/signin", [("csrf", signInToken), ("key", fixture.admin)]).status == 403)
        let signedIn = try page.post("/signin", [("csrf", signInToken), ("key", fixture.admin)], headers: ["Origin: \(server.baseURL)"])
        #expect(signedIn.status == 303)
        let cookie = try #require(signedIn.headers["set-cookie"]?.split(separator: "\n").first { $0.hasPrefix("rotor_session=") })
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"] { #expect(cookie.contains(attribute), "\(cookie)") }
        #expect(!cookie.contains("Secure"), "plain HTTP on loopback: no Secure attribute")

        let secretPage = try page.get("/secrets/\(Self.secret)")
        #expect(secretPage.status == 200)
        #expect(secretPage.headers["content-security-policy"]?.hasPrefix("default-src 'self'; frame-ancestors 'none'") == true)
        #expect(secretPage.headers["x-frame-options"] == "DENY")
        #expect(secretPage.headers["referrer-policy"] == "no-referrer")
        #expect(secretPage.headers["cache-control"] == "no-store")
        #expect(!secretPage.body.contains(canary))
        let token = try #require(PageClient.csrf(in: secretPage.body))
        let rotate = "/secrets/\(Self.secret)/rotate"
        let forged: [(String, [(String, String)], [String], PageClient)] = [
            ("no token", [("reason", "forged")], [], page),
            ("a wrong token", [("csrf", String(token.reversed())), ("reason", "forged")], [], page),
            ("another origin", [("csrf", token), ("reason", "forged")], ["Origin: http://evil.example"], page),
            ("a null origin from a cross-site frame", [("csrf", token), ("reason", "forged")], ["Origin: null", "Sec-Fetch-Site: cross-site"], page),
            ("a cross-site fetch", [("csrf", token), ("reason", "forged")], ["Sec-Fetch-Site: cross-site"], page),
            ("no session", [("csrf", token), ("reason", "forged")], [], PageClient(server: server)),
        ]
        for (what, fields, headers, client) in forged {
            let answer = try client.post(rotate, fields, headers: headers)
            #expect(answer.status == 403, "\(what): \(answer.status)")
            #expect(answer.headers["content-security-policy"] != nil, "\(what)")
        }
        #expect(try page.post("/keys/rotor/admin/revoke", [("reason", "forged")], headers: ["Origin: http://evil.example"]).status == 403)
        #expect(try page.post("/secrets/\(Self.secret)/reveal", [("csrf", token)], headers: ["Origin: http://evil.example"]).status == 403)
        // Nothing changed: no commit, still v1, the admin key still valid, no value read.
        #expect(try fixture.repo.git(["rev-parse", "HEAD"]) == head)
        let detail = try server.request("GET", "/v1/secrets/\(Self.secret)", key: fixture.admin).json()
        #expect((detail["secret"] as? [String: Any])?["version"] as? Int == 1)
        #expect(try fixture.audit("secret.accessed").allSatisfy { ($0["actor"] as? String)?.hasPrefix("rotor/admin") != true })
        // The same session, with its token, from this origin: accepted (here, signing out).
        #expect(try page.post("/signout", [("csrf", token)], headers: ["Origin: \(server.baseURL)"]).status == 303)
        #expect(try page.get("/keys").status == 303)
    }

    /// Writes the script's configuration (0600: it holds keys and the canary) and runs it.
    static func runBrowser(server: APIServer, fixture: APIFixture, canary: String, secrets: [String], work: TemporaryDirectory) throws -> Shell.Output {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let screenshots: String
        if let asked = ProcessInfo.processInfo.environment["ROTOR_SCREENSHOTS"], !asked.isEmpty {
            screenshots = asked.hasPrefix("/") ? asked : root.appendingPathComponent(asked).path
        } else {
            screenshots = work.path("images")
        }
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let config: [String: Any] = [
            "url": server.baseURL, "canary": canary, "secret": secret, "secrets": secrets, "screenshots": screenshots,
            "results": work.path("results.json"), "bodies": work.path("bodies.jsonl"),
            "keys": ["admin": fixture.admin, "reader": fixture.reader, "partner": fixture.partner, "revocable": fixture.stranger],
        ]
        let path = work.path("config.json")
        guard FileManager.default.createFile(atPath: path, contents: try JSONSerialization.data(withJSONObject: config),
                                             attributes: [.posixPermissions: 0o600]) else { throw FixtureError("cannot write \(path)") }
        return try Shell.run("python3", [root.appendingPathComponent("scripts/browser-test").path], environment: ["ROTOR_BROWSER_CONFIG": path])
    }

    /// The repository the page is shown on: several projects (natural order: s2 before s10), a
    /// weekly policy for a busier forecast, and consumers whose webhooks answer, fail and are gone.
    static func specs(_ receiver: WebhookReceiver) -> [String: String?] {
        let weekly = """
            apiVersion: rotor.dev/v1
            kind: Policy
            metadata:
              name: weekly
            spec:
              rotateEvery: 7d
              gracePeriod: 12h
              warnBefore: 24h
              generator:
                type: password
                length: 24
                charset: alphanumeric

            """
        return [
            "policies/weekly.yaml": weekly,
            "secrets/payments/db-password.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "db-password")
                + "  consumers:\n    - service: billing-api\n      webhook: \(receiver.url("/hooks/rotor"))\n"
                + "    - service: ledger\n      webhook: \(receiver.url("/flaky"))\n",
            "secrets/search/s2.yaml": SecretsRepoFixture.secretSpec(project: "search", name: "s2", policy: "weekly", consumers: ["search-api"]),
            "secrets/search/s10.yaml": SecretsRepoFixture.secretSpec(project: "search", name: "s10", policy: "weekly", consumers: ["search-api"]),
            "secrets/search/elastic-password.yaml": SecretsRepoFixture.secretSpec(project: "search", name: "elastic-password")
                + "  consumers:\n    - service: search-api\n    - service: notifier\n      webhook: \(receiver.url("/gone"))\n",
            "secrets/edge/internal-ca-passphrase.yaml": SecretsRepoFixture.secretSpec(project: "edge", name: "internal-ca-passphrase", consumers: ["ingress"]),
        ]
    }

    /// Chromium, its driver and Selenium, installed by `scripts/install-deps` when missing.
    static func ensureBrowser() throws {
        let ready = {
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver") && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
                && (try? Shell.run("python3", ["-c", "import selenium"]))?.status == 0
        }
        if ready() { return }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let install = try Shell.run(root.appendingPathComponent("scripts/install-deps").path, [])
        guard ready() else { throw FixtureError("chromium, chromium-driver or selenium is missing and scripts/install-deps did not install them: \(install.stderr)") }
    }
}
