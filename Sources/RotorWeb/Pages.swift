import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RotorCrypto
import RotorServer

/// The management page's request handling: sessions, CSRF and origin checks, calling the control
/// plane's handlers with the session's key, rendering, redirects and error pages. The pages
/// themselves are in `Pages+*.swift`.
final class Pages: Sendable {
    let controlPlane: ControlPlane
    let sessions: SessionStore
    let renderer: Renderer
    /// Whether the server speaks HTTPS: cookies are then `Secure` and `__Host-` prefixed.
    let tls: Bool
    let logger: Logger

    init(controlPlane: ControlPlane, sessions: SessionStore, renderer: Renderer, tls: Bool, logger: Logger) {
        self.controlPlane = controlPlane
        self.sessions = sessions
        self.renderer = renderer
        self.tls = tls
        self.logger = logger
    }

    /// The session cookie's name (`__Host-` under TLS: the browser then refuses it without `Secure` and `Path=/`).
    var sessionCookie: String { tls ? "__Host-rotor_session" : "rotor_session" }
    /// The sign-in form's CSRF cookie (a double submit: there is no session yet).
    var signInCookie: String { tls ? "__Host-rotor_signin" : "rotor_signin" }

    /// Every route of the page.
    func addRoutes(to router: Router<ServerContext>) {
        router.get("/static/rotor.css") { _, _ in Self.asset(Stylesheet.css, type: "text/css; charset=utf-8") }
        router.get("/static/rotor.js") { _, _ in Self.asset(Script.js, type: "text/javascript; charset=utf-8") }
        router.get("/static/icon.svg") { _, _ in Self.asset(Icon.svg, type: "image/svg+xml") }
        router.get("/") { request, context in await self.home(request, context) }
        router.post("/signin") { request, context in await self.signIn(request, context) }
        router.post("/signout") { request, context in await self.signOut(request, context) }
        router.post("/secrets") { request, context in await self.proposeSecret(request, context) }
        router.get("/secrets/:project/:name") { request, context in await self.secret(request, context) }
        router.post("/secrets/:project/:name/rotate") { request, context in await self.rotateSecret(request, context) }
        router.post("/secrets/:project/:name/rollback") { request, context in await self.rollbackSecret(request, context) }
        router.post("/secrets/:project/:name/reveal") { request, context in await self.reveal(request, context) }
        router.post("/secrets/:project/:name/delete") { request, context in await self.proposeDeletion(request, context) }
        router.get("/keys") { request, context in await self.keys(request, context) }
        router.post("/keys/:project/:name/rotate") { request, context in await self.rotateKey(request, context) }
        router.post("/keys/:project/:name/revoke") { request, context in await self.revokeKey(request, context) }
        router.get("/jobs") { request, context in await self.jobs(request, context) }
        router.post("/jobs/:id/retry") { request, context in await self.retryJob(request, context) }
        router.post("/jobs/:id/cancel") { request, context in await self.cancelJob(request, context) }
        router.get("/webhooks") { request, context in await self.webhooks(request, context) }
        router.post("/webhooks/:service/enable") { request, context in await self.enableWebhook(request, context) }
        router.get("/audit") { request, context in await self.audit(request, context) }
        router.get("/forecast") { request, context in await self.forecast(request, context) }
    }

    // MARK: - Pages and actions

    /// Serves a page to a signed-in session: authenticates its key through the handlers (a key
    /// that no longer authenticates ends the session), then renders what `build` made of the
    /// handlers' answers; a handler's problem becomes an error page with its status.
    ///
    /// Without a session: the sign-in page, which comes back here after signing in.
    func page(_ request: Request, _ context: ServerContext, _ build: (Visit) async throws -> PageView) async -> Response {
        let visit: Visit
        switch await self.visit(request, context) {
        case .success(let found): visit = found
        case .failure(let refusal): return refusal.response
        }
        do {
            return render(try await build(visit), visit: visit)
        } catch {
            return errorPage(error, visit: visit)
        }
    }

    /// What an action answers: a redirect back to its page with a message, or a page of its own.
    enum ActionResult {
        case redirect(String, Flash)
        case page(PageView)
    }

    /// Performs a form's action: 403 and nothing done unless the form comes from this origin and
    /// carries the session's CSRF token; then the handlers act with the session's key, and the
    /// answer is a 303 back to the page with what happened (or the problem's error page).
    func action(_ request: Request, _ context: ServerContext, _ perform: (Visit, Form) async throws -> ActionResult) async -> Response {
        guard originAllowed(request) else {
            return refusal(403, "This form was sent from another site. Nothing was changed.")
        }
        let form: Form
        do {
            form = try await Form.read(request)
        } catch {
            return refusal((error as? APIProblem)?.status ?? 400, (error as? APIProblem)?.detail ?? "the form could not be read")
        }
        let now = controlPlane.now
        guard let id = request.cookies[sessionCookie]?.value, let session = sessions.session(id, now: now) else {
            return refusal(403, "There is no signed-in session for this form (it may have ended). Sign in, then send it again. Nothing was changed.")
        }
        guard let token = form["csrf"], SessionStore.same(token, session.csrf) else {
            return refusal(403, "This form's CSRF token is missing or belongs to another session. Nothing was changed.")
        }
        let visit: Visit
        switch await self.visit(request, context, session: session) {
        case .success(let found): visit = found
        case .failure(let refusal): return refusal.response
        }
        do {
            switch try await perform(visit, form) {
            case .redirect(let location, let flash):
                session.add(flash)
                return Self.redirect(location)
            case .page(let view):
                return render(view, visit: visit)
            }
        } catch {
            return errorPage(error, visit: visit)
        }
    }

    /// A refusal that ends a request before any page is built.
    struct Refusal: Error {
        let response: Response
    }

    /// Finds the request's session and authenticates its key through the handlers.
    func visit(_ request: Request, _ context: ServerContext, session known: Session? = nil) async -> Result<Visit, Refusal> {
        let now = controlPlane.now
        guard let session = known ?? request.cookies[sessionCookie].flatMap({ sessions.session($0.value, now: now) }) else {
            return .failure(Refusal(response: signInRedirect(request)))
        }
        let anonymous = Visit(pages: self, request: request, context: context, session: session, identity: nil, now: now)
        do {
            let identity = try await anonymous.call { [controlPlane] in try await controlPlane.identify(countingUse: false) }
            return .success(Visit(pages: self, request: request, context: context, session: session, identity: identity, now: now))
        } catch let problem as APIProblem where problem.status == 401 || problem.status == 403 {
            // The key was revoked, expired or rotated out (or lost its rotor: scopes): the session ends with it.
            sessions.end(session.id)
            var response = signInPage(request, message: "Your session ended: \(problem.detail).", status: .unauthorized)
            response.setCookie(endedCookie(sessionCookie))
            return .failure(Refusal(response: response))
        } catch {
            return .failure(Refusal(response: errorPage(error, visit: anonymous)))
        }
    }

    /// Whether a POST comes from this page: a foreign `Origin`, or a browser saying the request
    /// is cross-site (`Sec-Fetch-Site`), is refused; without either header the CSRF token decides.
    ///
    /// `Origin: null` is what browsers send for a same-origin form under `Referrer-Policy:
    /// no-referrer`, and also what a sandboxed frame sends: it passes only with `Sec-Fetch-Site:
    /// same-origin`, which the browser sets and no page can.
    func originAllowed(_ request: Request) -> Bool {
        let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased()
        if let site, !["same-origin", "none"].contains(site) { return false }
        guard let origin = request.headers[HTTPField.Name("Origin")!]?.lowercased() else { return true }
        if origin == "null" { return site == "same-origin" }
        guard let host = request.head.authority else { return false }
        return origin == ((tls ? "https://" : "http://") + host).lowercased()
    }

    // MARK: - Responses

    /// Renders a page inside the layout, with the session's messages.
    func render(_ view: PageView, visit: Visit) -> Response {
        var model = view.model
        for (key, value) in layout(title: view.title, section: view.section, visit: visit) { model[key] = value }
        return Self.html(renderer.render(view.template, model), status: view.status)
    }

    /// The fields the layout reads: title, navigation, who is signed in, the sign-out token, messages.
    func layout(title: String, section: Section?, visit: Visit?) -> [String: Any] {
        var model: [String: Any] = ["title": title]
        guard let visit else { return model }
        model["signedIn"] = true
        model["csrf"] = visit.session.csrf
        model["who"] = visit.identity.map { "\($0.key) v\($0.version)" } ?? ""
        model["nav"] = Section.allCases.map { ["href": $0.path, "label": $0.label, "current": $0 == section] as [String: Any] }
        model["flashes"] = visit.session.takeFlashes().map { flash -> [String: Any] in
            var item: [String: Any] = ["kind": flash.kind.rawValue, "text": flash.text, "role": flash.kind == .error ? "alert" : "status"]
            if let proposal = flash.proposal {
                item["proposal"] = ["id": proposal.id, "branch": proposal.branch, "commit": proposal.commit, "plan": proposal.plan]
            }
            return item
        }
        return model
    }

    /// The error page for what a handler threw: its problem and status, or a 500 (logged).
    func errorPage(_ error: any Error, visit: Visit) -> Response {
        let problem: APIProblem
        if let known = error as? APIProblem {
            problem = known
        } else {
            logger.error("page failed", metadata: ["path": "\(visit.request.uri.path)", "error": "\(error)"])
            problem = APIProblem.internalError("the page could not be built; the server's log has the cause")
        }
        if problem.status == 401 {
            sessions.end(visit.session.id)
            var response = signInPage(visit.request, message: "Your session ended: \(problem.detail).", status: .unauthorized)
            response.setCookie(endedCookie(sessionCookie))
            return response
        }
        let view = PageView(template: "error", title: problem.title, section: nil,
                            model: ["status": problem.status, "problemTitle": problem.title, "detail": problem.detail,
                                    "back": (visit.request.method == .post ? Self.pageOf(visit.request.uri.path) : nil) as String? as Any],
                            status: .init(code: problem.status))
        return render(view, visit: visit)
    }

    /// A 403 (or 4xx) page for a form refused before any session was consulted.
    func refusal(_ status: Int, _ detail: String) -> Response {
        let title = status == 403 ? "Forbidden" : "Bad request"
        var model = layout(title: title, section: nil, visit: nil)
        model["status"] = status
        model["problemTitle"] = title
        model["detail"] = detail
        model["back"] = "/"
        return Self.html(renderer.render("error", model), status: .init(code: status))
    }

    /// The page a form's action belongs to: `/secrets/p/n/rotate` → `/secrets/p/n`.
    static func pageOf(_ path: String) -> String {
        let parts = path.split(separator: "/")
        switch parts.first {
        case "secrets" where parts.count >= 3: return "/secrets/\(parts[1])/\(parts[2])"
        case "keys": return "/keys"
        case "jobs": return "/jobs"
        case "webhooks": return "/webhooks"
        default: return "/"
        }
    }

    /// A 303 to `location`.
    static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        secure(&headers)
        return Response(status: .seeOther, headers: headers)
    }

    /// An HTML answer with the page's headers.
    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        secure(&headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The stylesheet, the script or the icon: rotor's own, served from the binary.
    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        secure(&headers)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The headers every answer of the page carries: no script or style but the server's own, no
    /// framing, no referrer, never cached (a page may show a value).
    static func secure(_ headers: inout HTTPFields) {
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[.cacheControl] = "no-store"
    }

    /// A cookie of the page: `HttpOnly`, `SameSite=Strict`, `Path=/`, `Secure` under TLS.
    func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: tls, httpOnly: true, sameSite: .strict)
    }

    /// A cookie that tells the browser to forget `name`.
    func endedCookie(_ name: String) -> Cookie {
        cookie(name, "", maxAge: 0)
    }
}
