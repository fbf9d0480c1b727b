import Foundation

/// A place in a file of the secrets repository, 1-based.
public struct SourceLocation: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// Path relative to the repository root.
    public let path: String
    /// 1-based line; 0 for the file as a whole.
    public let line: Int
    /// 1-based column; 0 for the file as a whole.
    public let column: Int

    /// Creates a location; line and column are 1-based.
    public init(path: String, line: Int = 1, column: Int = 1) {
        self.path = path
        self.line = line
        self.column = column
    }

    /// `path:line:column`, the form editors and CI annotations understand, or `path` alone for what concerns a whole file (line 0).
    public var description: String { line == 0 ? path : "\(path):\(line):\(column)" }

    /// A location for the file as a whole (a symlink, a file too large to read): no line.
    public static func wholeFile(_ path: String) -> SourceLocation { SourceLocation(path: path, line: 0, column: 0) }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.path, lhs.line, lhs.column) < (rhs.path, rhs.line, rhs.column)
    }
}

/// One problem found in the secrets repository, with where it is.
public struct Diagnostic: Error, Hashable, Codable, Sendable, CustomStringConvertible {
    /// How bad it is: errors stop plan and apply, warnings do not.
    public enum Severity: String, Codable, Sendable { case error, warning }

    /// Where the problem is.
    public let location: SourceLocation
    /// What is wrong, and what to do when that is knowable. Never contains a secret value.
    public let message: String
    /// Error or warning.
    public let severity: Severity

    /// Creates a diagnostic.
    public init(_ location: SourceLocation, _ message: String, severity: Severity = .error) {
        self.location = location
        self.message = message
        self.severity = severity
    }

    /// `path:line:column: error: message`.
    public var description: String { "\(location): \(severity.rawValue): \(message)" }
}

/// A list of diagnostics that failed validation, thrown by loaders and the engine.
public struct ValidationFailure: Error, CustomStringConvertible, Sendable {
    /// Every problem found, in file order.
    public let diagnostics: [Diagnostic]

    /// Wraps diagnostics, sorted by location.
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics.sorted { $0.location < $1.location } }

    /// One diagnostic per line and a count.
    public var description: String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        return (diagnostics.map(\.description) + ["\(errors) error\(errors == 1 ? "" : "s") found"]).joined(separator: "\n")
    }
}
