import Foundation
import RotorCore
import Yams

/// Parses one YAML file into a node tree with bounded work, whatever the input.
///
/// Aliases are expanded by the composer, so a few hundred bytes can describe billions of
/// nodes (an "alias bomb"). The tree is walked once with a node budget before anything
/// else touches it, and files over ``maxBytes`` are refused unread.
enum YAMLDocument {
    /// The largest spec file rotor reads.
    static let maxBytes = 1 << 20
    /// The most nodes one file may expand to.
    static let maxNodes = 50_000

    /// The document's root node, or the diagnostics that say why there is none.
    static func parse(_ file: SourceFile) -> Result<Node, Diagnostic> {
        let start = SourceLocation(path: file.path)
        guard file.bytes.count <= maxBytes else {
            return .failure(Diagnostic(start, "file is \(file.bytes.count) bytes; the limit is \(maxBytes)"))
        }
        guard let text = String(validating: file.bytes, as: UTF8.self) else {
            return .failure(Diagnostic(start, "file is not valid UTF-8"))
        }
        let root: Node?
        do {
            // The basic resolver tags every scalar as a string: Yams' default resolver runs a set of
            // regular expressions on every scalar, which dominated loading large repositories.
            // MappingReader types scalars itself (YAMLScalar), only where a field asks for it.
            // The encoding is explicit: Yams' default reads the process environment on every call.
            var documents = try Yams.compose_all(yaml: text, .basic, .default, .utf8)
            root = documents.next()
            if let error = documents.error { throw error }
            if root != nil, let second = documents.next() {
                return .failure(Diagnostic(location(of: second, in: file.path), "one YAML document per file, found a second one"))
            }
            if let error = documents.error { throw error }
        } catch {
            return .failure(diagnostic(for: error, path: file.path))
        }
        guard let root else { return .failure(Diagnostic(start, "file is empty")) }
        var budget = maxNodes
        guard withinBudget(root, &budget) else {
            return .failure(Diagnostic(location(of: root, in: file.path),
                                       "document expands to more than \(maxNodes) nodes (YAML aliases?); refusing to read it"))
        }
        return .success(root)
    }

    /// The 1-based location of `node`.
    static func location(of node: Node, in path: String) -> SourceLocation {
        guard let mark = node.mark else { return SourceLocation(path: path) }
        return SourceLocation(path: path, line: mark.line, column: mark.column)
    }

    private static func withinBudget(_ node: Node, _ budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch node {
        case .scalar, .alias: return true
        case .sequence(let sequence):
            for child in sequence where !withinBudget(child, &budget) { return false }
            return true
        case .mapping(let mapping):
            for (key, value) in mapping where !(withinBudget(key, &budget) && withinBudget(value, &budget)) { return false }
            return true
        }
    }

    private static func diagnostic(for error: Error, path: String) -> Diagnostic {
        guard let yamlError = error as? YamlError else {
            return Diagnostic(SourceLocation(path: path), "cannot parse YAML")
        }
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(path: path, line: mark.line, column: mark.column) }
        switch yamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let where_ = context.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
            return Diagnostic(at(mark), "invalid YAML: \(problem)\(where_)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return Diagnostic(at(context.mark), "duplicate key\(duplicates.count == 1 ? "" : "s") \(duplicates.map { "\"\($0)\"" }.joined(separator: ", "))")
        case let .reader(problem, offset, _, _):
            return Diagnostic(SourceLocation(path: path), "cannot read YAML: \(problem)" + (offset.map { " at byte \($0)" } ?? ""))
        default:
            return Diagnostic(SourceLocation(path: path), "invalid YAML")
        }
    }
}
