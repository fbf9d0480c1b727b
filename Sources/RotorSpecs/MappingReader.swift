import Foundation
import RotorCore

/// Collects diagnostics for one file while its fields are read.
final class DiagnosticSink {
    private(set) var diagnostics: [Diagnostic] = []

    func error(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(location, message))
    }

    func add(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Reads the fields of one YAML mapping with types checked and every problem reported at its place.
///
/// Unknown fields are errors (a typo must never silently disable a setting). Messages name
/// fields and types but never echo scalar values: a value field may hold a secret by mistake.
struct MappingReader {
    let path: String
    let node: Node
    let what: String
    let sink: DiagnosticSink
    private var fields: [String: (key: Node, value: Node)] = [:]

    /// Reads `node` as a mapping of `what` (e.g. "Secret spec") allowing only `allowed` keys; nil if it is not a mapping.
    init?(_ node: Node, what: String, path: String, allowed: [String], sink: DiagnosticSink) {
        self.path = path
        self.node = node
        self.what = what
        self.sink = sink
        guard case .mapping(let mapping) = node else {
            sink.error(YAMLDocument.location(of: node, in: path), "\(what) must be a mapping, found \(Self.kindName(node))")
            return nil
        }
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                sink.error(location(key), "keys of \(what) must be plain strings")
                continue
            }
            let name = scalar.string
            if !allowed.contains(name) {
                let hint = Self.closest(to: name, in: allowed).map { "; did you mean \"\($0)\"?" } ?? ""
                sink.error(location(key), "unknown field \"\(Self.printable(name))\" in \(what)\(hint) (allowed: \(allowed.joined(separator: ", ")))")
                continue
            }
            if fields[name] != nil {
                sink.error(location(key), "field \"\(name)\" appears twice in \(what)")
            }
            fields[name] = (key, value)
        }
    }

    /// The location of a node in this file.
    func location(_ node: Node) -> SourceLocation { YAMLDocument.location(of: node, in: path) }

    /// The location of the mapping itself.
    var start: SourceLocation { location(node) }

    /// The location of a field's value, or of the mapping when the field is absent.
    func location(of key: String) -> SourceLocation { fields[key].map { location($0.value) } ?? start }

    /// Whether the field is present.
    func has(_ key: String) -> Bool { fields[key] != nil }

    /// The raw value node of a field.
    func node(_ key: String) -> Node? { fields[key]?.value }

    /// A string field; reports a missing required field or a non-scalar value.
    func string(_ key: String, required: Bool = false) -> String? {
        guard let value = fields[key]?.value else {
            if required { sink.error(start, "\(what) is missing required field \"\(key)\"") }
            return nil
        }
        guard case .scalar(let scalar) = value, !YAMLScalar.isNull(scalar) else {
            sink.error(location(value), "field \"\(key)\" must be a string, found \(Self.kindName(value))")
            return nil
        }
        return scalar.string
    }

    /// An integer field within `range`.
    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = fields[key]?.value else { return nil }
        guard case .scalar(let scalar) = value, let number = YAMLScalar.int(scalar) else {
            sink.error(location(value), "field \"\(key)\" must be an integer, found \(Self.kindName(value))")
            return nil
        }
        guard range.contains(number) else {
            sink.error(location(value), "field \"\(key)\" must be between \(range.lowerBound) and \(range.upperBound), found \(number)")
            return nil
        }
        return number
    }

    /// A boolean field.
    func bool(_ key: String) -> Bool? {
        guard let value = fields[key]?.value else { return nil }
        guard case .scalar(let scalar) = value, let flag = YAMLScalar.bool(scalar) else {
            sink.error(location(value), "field \"\(key)\" must be true or false, found \(Self.kindName(value))")
            return nil
        }
        return flag
    }

    /// A duration field (`30d`, `24h`, `1h30m`).
    func duration(_ key: String, allowZero: Bool = true) -> RotorDuration? {
        guard let text = string(key) else { return nil }
        guard let duration = RotorDuration(parsing: text), allowZero || duration.seconds > 0 else {
            sink.error(location(of: key), "field \"\(key)\" is not a \(allowZero ? "" : "positive ")duration: use a number and a unit, e.g. 30d, 24h, 1h30m (units: w d h m s)")
            return nil
        }
        return duration
    }

    /// A sequence field's items.
    func sequence(_ key: String) -> [Node]? {
        guard let value = fields[key]?.value else { return nil }
        guard case .sequence(let items) = value else {
            sink.error(location(value), "field \"\(key)\" must be a list, found \(Self.kindName(value))")
            return nil
        }
        return Array(items)
    }

    /// A nested mapping field.
    func mapping(_ key: String, what nestedWhat: String, allowed: [String]) -> MappingReader? {
        guard let value = fields[key]?.value else { return nil }
        return MappingReader(value, what: nestedWhat, path: path, allowed: allowed, sink: sink)
    }

    static func kindName(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            if YAMLScalar.isNull(scalar) { return "null" }
            if YAMLScalar.bool(scalar) != nil { return "a boolean" }
            if YAMLScalar.int(scalar) != nil { return "an integer" }
            if scalar.style == .plain, Double(scalar.string) != nil { return "a number" }
            return "a string"
        }
    }

    /// Field names are echoed only when short and plain, so a pasted secret is not repeated back.
    static func printable(_ name: String) -> String {
        name.count <= 40 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) } ? name : "…"
    }

    static func closest(to name: String, in candidates: [String]) -> String? {
        let lowered = name.lowercased()
        return candidates.first { $0.lowercased() == lowered }
            ?? candidates.min { editDistance($0, name) < editDistance($1, name) }.flatMap { editDistance($0, name) <= 2 ? $0 : nil }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
