import CGPGME
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide gpgme setup.
public enum GPG {
    /// Initializes gpgme once per process: `gpgme_check_version(NULL)` then
    /// `gpgme_set_locale(NULL, LC_CTYPE, …)` with the process's current `LC_CTYPE`.
    ///
    /// Idempotent and thread-safe (a Swift `static let` initializer runs exactly once).
    /// `GPGContext.init` calls it, so callers rarely need to. It does not call
    /// `setlocale(LC_ALL, "")`: changing the process locale is the application's decision.
    public static func initialize() {
        _ = once
    }

    private static let once: Void = {
        _ = gpgme_check_version(nil)
        if let current = setlocale(LC_CTYPE, nil) {
            // gpgme_set_locale(NULL, …) only fails on out-of-memory; ignoring keeps initialize() non-throwing.
            try? check(gpgme_set_locale(nil, LC_CTYPE, current), "gpgme_set_locale")
        }
    }()

    /// gpgme's idea of a directory or program (`gpgme_get_dirinfo`), e.g. `"homedir"` or `"gpgconf-name"`.
    static func dirInfo(_ what: String) -> String? {
        initialize()
        return gpgme_get_dirinfo(what).map { String(cString: $0) }
    }
}
