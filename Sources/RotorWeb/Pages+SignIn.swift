import Foundation
import HTTPTypes
import Hummingbird
import RotorCrypto
import RotorServer

extension Pages {
    /// `/`: the secrets list when signed in, else the sign-in form.
    func home(_ request: Request, _ context: ServerContext) async -> Response {
        let now = controlPlane.now
        guard request.cookies[sessionCookie].flatMap({ sessions.session($0.value, now: now) }) != nil else {
            let query = Form(request.uri.query)
            return signInPage(request, message: nil, status: .ok, next: query["next"], signedOut: query["signedout"] != nil)
        }
        return await page(request, context) { visit in try await secretsList(visit) }
    }

    /// The sign-in form, with a fresh CSRF token in the form and in a cookie (there is no session to hold it yet).
    func signInPage(_ request: Request, message: String?, status: HTTPResponse.Status, next: String? = nil, signedOut: Bool = false) -> Response {
        let token = SessionStore.token()
        var model = layout(title: "Sign in", section: nil, visit: nil)
        model["csrf"] = token
        model["next"] = next.flatMap(Self.safeNext)
        model["message"] = message
        model["signedOut"] = signedOut
        model["lifetime"] = Formatting.duration(sessions.lifetime)
        var response = Self.html(renderer.render("signin", model), status: status)
        response.setCookie(cookie(signInCookie, token, maxAge: 3_600))
        return response
    }

    /// A page asked for without a session: 303 to the sign-in form, which comes back after.
    func signInRedirect(_ request: Request) -> Response {
        guard request.method == .get, request.uri.path != "/" else { return signInPage(request, message: nil, status: .ok) }
        var target = request.uri.path
        if let query = request.uri.query { target += "?" + query }
        let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? "/"
        return Self.redirect("/?next=" + encoded)
    }

    /// `POST /signin`: the key authenticates through the handlers (a key with no `rotor:` scope
    /// is refused), its use is counted, and a session starts holding it in wiped memory.
    func signIn(_ request: Request, _ context: ServerContext) async -> Response {
        guard originAllowed(request) else { return refusal(403, "This sign-in form was sent from another site.") }
        let form: Form
        do {
            form = try await Form.read(request)
        } catch {
            return refusal((error as? APIProblem)?.status ?? 400, (error as? APIProblem)?.detail ?? "the form could not be read")
        }
        guard let expected = request.cookies[signInCookie]?.value, let token = form["csrf"], SessionStore.same(token, expected) else {
            return refusal(403, "The sign-in form's CSRF token is missing or does not match its cookie: reload the page and sign in again.")
        }
        let next = form["next"].flatMap(Self.safeNext)
        guard let presented = form["key"] else {
            return signInPage(request, message: "Paste a rotor API key to sign in.", status: .unprocessableContent, next: next)
        }
        let info = RequestInfo(authorization: "Bearer " + presented, sourceAddress: context.remoteAddress?.ipAddress ?? "unknown",
                               path: request.uri.path, via: "web")
        do {
            let identity = try await RequestInfo.$current.withValue(info) { [controlPlane] in try await controlPlane.identify(countingUse: true) }
            let session = sessions.start(key: SecretBytes(Array(presented.utf8)), now: controlPlane.now)
            session.add(Flash(kind: .success, text: "Signed in as \(identity.key) v\(identity.version) (\(identity.scopes.sorted().joined(separator: ", "))). The session ends in \(Formatting.duration(sessions.lifetime)), at sign-out, or when the key stops being valid."))
            var response = Self.redirect(next ?? "/")
            response.setCookie(cookie(sessionCookie, session.id, maxAge: Int(sessions.lifetime)))
            response.setCookie(endedCookie(signInCookie))
            return response
        } catch let problem as APIProblem {
            return signInPage(request, message: problem.detail, status: .init(code: problem.status), next: next)
        } catch {
            logger.error("sign-in failed", metadata: ["error": "\(error)"])
            return signInPage(request, message: "The key could not be checked; the server's log has the cause.", status: .internalServerError, next: next)
        }
    }

    /// `POST /signout`: ends the session (its key is wiped) and forgets the cookie.
    func signOut(_ request: Request, _ context: ServerContext) async -> Response {
        guard originAllowed(request) else { return refusal(403, "This sign-out form was sent from another site. Nothing was changed.") }
        let form: Form
        do {
            form = try await Form.read(request)
        } catch {
            return refusal((error as? APIProblem)?.status ?? 400, (error as? APIProblem)?.detail ?? "the form could not be read")
        }
        guard let id = request.cookies[sessionCookie]?.value, let session = sessions.session(id, now: controlPlane.now) else {
            var response = Self.redirect("/?signedout=1")
            response.setCookie(endedCookie(sessionCookie))
            return response
        }
        guard let token = form["csrf"], SessionStore.same(token, session.csrf) else {
            return refusal(403, "This form's CSRF token is missing or belongs to another session. Nothing was changed.")
        }
        sessions.end(session.id)
        var response = Self.redirect("/?signedout=1")
        response.setCookie(endedCookie(sessionCookie))
        return response
    }

    /// Where to go after signing in: a path of this page only (never `//host` or a scheme).
    static func safeNext(_ next: String) -> String? {
        // Browsers drop tabs and newlines from URLs, so `/\t/host` would become `//host`: no control
        // characters or spaces at all, and no backslash (which some read as `/`).
        guard next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
              next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else { return nil }
        return next
    }
}
