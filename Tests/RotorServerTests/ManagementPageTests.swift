import Foundation
import Testing
import RotorCore
import RotorTesting

/// The management page over plain HTTP, with curl: what every answer carries, what happens
/// without a session, and the cookies under TLS. The browser test drives the pages themselves.
@Suite("The management page: headers, sessions and cookies", .serialized)
struct ManagementPageTests {
    static let pages = ["/", "/secrets/payments/db-password", "/keys", "/jobs", "/webhooks", "/audit", "/forecast", "/forecast?days=90"]

    @Test func everyPageAndAssetCarriesTheHeadersAndNoInlineScript() throws {
        let fixture = try APIFixture()
        let server = try fixture.serve()
        let client = PageClient(server: server)
        let token = try #require(PageClient.csrf(in: try client.get("/").body))
        #expect(try client.post("/signin", [("csrf", token), ("key", fixture.admin)]).status == 303)
        for path in Self.pages + ["/static/rotor.css", "/static/rotor.js", "/static/icon.svg"] {
            let answer = try client.get(path)
            #expect(answer.status == 200, "\(path)")
            #expect(answer.headers["content-security-policy"] == "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'", "\(path)")
            #expect(answer.headers["x-frame-options"] == "DENY", "\(path)")
            #expect(answer.headers["referrer-policy"] == "no-referrer", "\(path)")
            #expect(answer.headers["cache-control"] == "no-store", "\(path)")
            #expect(answer.headers["x-content-type-options"] == "nosniff", "\(path)")
            if path.hasPrefix("/static") { continue }
            #expect(answer.headers["content-type"] == "text/html; charset=utf-8", "\(path)")
            // No script but /static/rotor.js, no inline style, every form with its token.
            #expect(!answer.body.contains("<script>") && !answer.body.contains("style=") && !answer.body.contains("javascript:"), "\(path)")
            #expect(answer.body.components(separatedBy: "<script").count == 2, "\(path)")
            let forms = answer.body.components(separatedBy: "<form").count - 1
            let gets = answer.body.components(separatedBy: #"<form method="get""#).count - 1
            #expect(answer.body.components(separatedBy: #"name="csrf""#).count - 1 == forms - gets, "\(path): a POST form without its token")
        }
        #expect(try client.get("/static/rotor.js").headers["content-type"] == "text/javascript; charset=utf-8")
        #expect(try client.get("/secrets/payments/nope").status == 404)
    }

    @Test func withoutASessionPagesGoToSignInAndFormsAre403() throws {
        let fixture = try APIFixture()
        let server = try fixture.serve()
        let anonymous = PageClient(server: server)
        let signIn = try anonymous.get("/")
        #expect(signIn.status == 200)
        #expect(signIn.body.contains(#"<form method="post" action="/signin""#))
        let cookie = try #require(signIn.headers["set-cookie"])
        for attribute in ["rotor_signin=", "HttpOnly", "SameSite=Strict", "Path=/"] { #expect(cookie.contains(attribute), "\(cookie)") }
        for path in Self.pages.dropFirst() {
            let answer = try anonymous.get(path)
            #expect(answer.status == 303, "\(path)")
            #expect(answer.headers["location"]?.hasPrefix("/?next=/") == true, "\(path): \(answer.headers["location"] ?? "")")
        }
        for path in ["/secrets/payments/db-password/rotate", "/secrets/payments/db-password/reveal", "/keys/rotor/admin/revoke", "/jobs/job_x/retry",
                     "/webhooks/billing-api/enable", "/secrets", "/signout"] {
            #expect(try anonymous.post(path, [("reason", "x")]).status == (path == "/signout" ? 303 : 403), "\(path)")
        }
        // A wrong key: 401 and the form again, audited as a failed authentication (the key itself nowhere).
        let token = try #require(PageClient.csrf(in: signIn.body))
        let wrong = try anonymous.post("/signin", [("csrf", token), ("key", "rk_sec_not-a-key")])
        #expect(wrong.status == 401)
        #expect(wrong.body.contains("unknown key"))
        #expect(try anonymous.get("/keys").status == 303)
        _ = server.stop()
        let failures = try fixture.audit("auth.failed")
        #expect(failures.contains { ($0["metadata"] as? String ?? "\($0)").contains("/signin") || "\($0)".contains("/signin") })
        #expect(!String(decoding: try Data(contentsOf: URL(fileURLWithPath: fixture.repo.statePath)), as: UTF8.self).contains("rk_sec_not-a-key"))
    }

    @Test func aSignInAfterLeavingAPageComesBackToIt() throws {
        let fixture = try APIFixture()
        let server = try fixture.serve()
        let client = PageClient(server: server)
        let form = try client.get("/?next=/audit%3Faction%3Dsecret.accessed")
        #expect(form.body.contains(#"name="next" value="/audit?action=secret.accessed""#))
        let token = try #require(PageClient.csrf(in: form.body))
        let signedIn = try client.post("/signin", [("csrf", token), ("key", fixture.admin), ("next", "/audit?action=secret.accessed")])
        #expect(signedIn.headers["location"] == "/audit?action=secret.accessed")
        // Never somewhere else.
        let again = PageClient(server: server)
        let other = try #require(PageClient.csrf(in: try again.get("/").body))
        #expect(try again.post("/signin", [("csrf", other), ("key", fixture.admin), ("next", "//evil.example/")]).headers["location"] == "/")
    }

    @Test func underTLSTheCookiesAreSecureAndHostOnly() throws {
        let fixture = try APIFixture()
        let pki = try ThrowawayCA(directory: fixture.repo.directory.path("pki"))
        let server = try APIServer(repo: fixture.repo, arguments: ["--at", APIFixture.at(hours: 1), "--tls-cert", pki.certificate, "--tls-key", pki.key],
                                   caCertificate: pki.caCertificate)
        let client = PageClient(server: server)
        let form = try client.get("/")
        let signInCookie = try #require(form.headers["set-cookie"])
        #expect(signInCookie.hasPrefix("__Host-rotor_signin="))
        #expect(signInCookie.contains("Secure"))
        let token = try #require(PageClient.csrf(in: form.body))
        let signedIn = try client.post("/signin", [("csrf", token), ("key", fixture.admin)], headers: ["Origin: \(server.baseURL)"])
        #expect(signedIn.status == 303)
        let session = try #require(signedIn.headers["set-cookie"]?.split(separator: "\n").first { $0.hasPrefix("__Host-rotor_session=") })
        for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] { #expect(session.contains(attribute), "\(session)") }
        #expect(!session.contains("Domain"))
        #expect(try client.get("/keys").status == 200)
        // An http:// origin is another origin than this https:// server.
        let page = try client.get("/secrets/payments/db-password")
        let csrf = try #require(PageClient.csrf(in: page.body))
        #expect(try client.post("/secrets/payments/db-password/rotate", [("csrf", csrf), ("reason", "x")],
                                headers: ["Origin: \(server.baseURL.replacingOccurrences(of: "https://", with: "http://"))"]).status == 403)
    }

    @Test func theSessionLifetimeIsAValidatedDuration() throws {
        let fixture = try APIFixture()
        let refused = try fixture.repo.rotor(["serve", "--listen", "127.0.0.1:0", "--session-lifetime", "10s"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--session-lifetime"))
        let server = try fixture.serve(arguments: ["--session-lifetime", "30m"])
        let client = PageClient(server: server)
        let token = try #require(PageClient.csrf(in: try client.get("/").body))
        let signedIn = try client.post("/signin", [("csrf", token), ("key", fixture.admin)])
        #expect(signedIn.headers["set-cookie"]?.contains("Max-Age=1800") == true)
    }
}
