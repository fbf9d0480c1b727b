/// The page's mustache templates, compiled into the binary (so `rotor` stays one file to
/// install, with no resource bundle to lose). Each page extends `layout` with its `content`.
enum Templates {
    /// Every template by name.
    static let all: [String: String] = [
        "layout": layout, "signin": signIn, "error": error, "secrets": secrets, "secret": secret,
        "keys": keys, "jobs": jobs, "webhooks": webhooks, "audit": audit, "forecast": forecast,
    ]
}
