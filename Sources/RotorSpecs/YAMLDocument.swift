import CYAML
import Foundation
import RotorCore

/// One node of a YAML document, with where it starts.
///
/// rotor's own tree, composed straight from libyaml's events: no tags are resolved (fields
/// that need a type ask ``YAMLScalar``), and aliases are expanded by sharing the anchored
/// node (a value), never by copying it.
///
/// `Sendable` is spelled out on each type: inferring it, the Swift 6.3 compiler reports a
/// "circular reference" as soon as another file reads a mapping's `pairs`.
enum Node: Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)

    /// A 1-based line and column.
    struct Mark: Equatable, Sendable {
        let line: Int
        let column: Int
    }

    struct Scalar: Sendable {
        enum Style: Sendable { case plain, singleQuoted, doubleQuoted, literal, folded }

        let string: String
        let style: Style
        let mark: Mark
        /// Just past its last character (the closing quote, for a quoted scalar).
        let end: Mark
    }

    /// A mapping's key-value pairs in document order (duplicates are for the reader to report).
    struct Mapping: Swift.Sequence, Sendable {
        let pairs: [(key: Node, value: Node)]
        let mark: Mark
        /// Written `{a: b}` rather than one key per line.
        let isFlow: Bool

        func makeIterator() -> IndexingIterator<[(key: Node, value: Node)]> { pairs.makeIterator() }
    }

    struct Sequence: Swift.Sequence, Sendable {
        let items: [Node]
        let mark: Mark

        func makeIterator() -> IndexingIterator<[Node]> { items.makeIterator() }
    }

    var mark: Mark {
        switch self {
        case .scalar(let scalar): return scalar.mark
        case .mapping(let mapping): return mapping.mark
        case .sequence(let sequence): return sequence.mark
        }
    }
}

/// Parses one YAML file into a node tree with bounded work, whatever the input.
///
/// Aliases let a few hundred bytes describe billions of nodes (an "alias bomb"), so the
/// composer counts every node as if aliases were expanded and stops at ``maxNodes``; files
/// over ``maxBytes`` are refused unread.
enum YAMLDocument {
    /// The largest spec file rotor reads.
    static let maxBytes = 1 << 20
    /// The most nodes one file may expand to.
    static let maxNodes = 50_000
    /// The deepest nesting of lists and mappings (the composer recurses: `[[[[…` a megabyte
    /// deep would otherwise exhaust a thread's stack).
    static let maxDepth = 64

    /// The document's root node, or the diagnostic that says why there is none.
    static func parse(_ file: SourceFile) -> Result<Node, Diagnostic> {
        let start = SourceLocation(path: file.path)
        guard file.bytes.count <= maxBytes else {
            return .failure(SpecLoader.oversize(file.path, bytes: file.bytes.count))
        }
        guard file.bytes.allSatisfy({ $0 < 0x80 }) || String(validating: file.bytes, as: UTF8.self) != nil else {
            return .failure(Diagnostic(start, "file is not valid UTF-8"))
        }
        guard !file.bytes.isEmpty else { return .failure(Diagnostic(start, "file is empty")) }
        return file.bytes.withUnsafeBufferPointer { buffer in
            var composer = Composer(path: file.path)
            return composer.document(buffer)
        }
    }

    /// The 1-based location of `node`.
    static func location(of node: Node, in path: String) -> SourceLocation {
        SourceLocation(path: path, line: node.mark.line, column: node.mark.column)
    }

    /// Builds nodes from libyaml's event stream.
    private struct Composer {
        let path: String
        var parser = yaml_parser_t()
        /// Anchored nodes and how many nodes each expands to.
        var anchors: [String: (node: Node, size: Int)] = [:]
        var budget = YAMLDocument.maxNodes
        var depth = 0

        init(path: String) { self.path = path }

        struct Failure: Error { let diagnostic: Diagnostic }

        mutating func document(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<Node, Diagnostic> {
            guard yaml_parser_initialize(&parser) == 1 else { return .failure(Diagnostic(SourceLocation(path: path), "cannot parse YAML")) }
            defer { yaml_parser_delete(&parser) }
            // libyaml reads from the buffer while parsing: it outlives every call below.
            yaml_parser_set_input_string(&parser, buffer.baseAddress!, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            do {
                var event = try next()
                defer { yaml_event_delete(&event) }
                guard event.type == YAML_STREAM_START_EVENT else { throw failure("expected the start of a stream", at: event) }
                var root: Node?
                while true {
                    var event = try next()
                    defer { yaml_event_delete(&event) }
                    if event.type == YAML_STREAM_END_EVENT { break }
                    guard event.type == YAML_DOCUMENT_START_EVENT else { throw failure("expected a document", at: event) }
                    var first = try next()
                    defer { yaml_event_delete(&first) }
                    let node = try compose(&first).node
                    if root != nil {
                        throw Failure(diagnostic: Diagnostic(YAMLDocument.location(of: node, in: path), "one YAML document per file, found a second one"))
                    }
                    root = node
                    var end = try next()
                    defer { yaml_event_delete(&end) }
                    guard end.type == YAML_DOCUMENT_END_EVENT else { throw failure("expected the end of the document", at: end) }
                }
                guard let root else { return .failure(Diagnostic(SourceLocation(path: path), "file is empty")) }
                return .success(root)
            } catch let failure as Failure {
                return .failure(failure.diagnostic)
            } catch {
                return .failure(Diagnostic(SourceLocation(path: path), "cannot parse YAML"))
            }
        }

        /// The next event; a libyaml error becomes a diagnostic at its place.
        private mutating func next() throws -> yaml_event_t {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { throw Failure(diagnostic: libyamlDiagnostic()) }
            return event
        }

        /// The node that starts with `event` (consumed by the caller) and its expanded size.
        private mutating func compose(_ event: inout yaml_event_t) throws -> (node: Node, size: Int) {
            let mark = Node.Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            let result: (node: Node, size: Int)
            let anchor: UnsafeMutablePointer<yaml_char_t>?
            switch event.type {
            case YAML_ALIAS_EVENT:
                let name = Self.string(event.data.alias.anchor)
                guard let anchored = anchors[name] else { throw failure("found undefined alias \"\(MappingReader.printable(name))\"", at: event) }
                try spend(anchored.size, at: mark)
                return anchored
            case YAML_SCALAR_EVENT:
                try spend(1, at: mark)
                let scalar = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                let end = Node.Mark(line: Int(event.end_mark.line) + 1, column: Int(event.end_mark.column) + 1)
                result = (.scalar(Node.Scalar(string: text, style: Self.style(scalar.style), mark: mark, end: end)), 1)
                anchor = scalar.anchor
            case YAML_SEQUENCE_START_EVENT:
                try spend(1, at: mark)
                try descend(at: mark)
                defer { depth -= 1 }
                anchor = event.data.sequence_start.anchor
                var items: [Node] = []
                var size = 1
                while true {
                    var child = try next()
                    defer { yaml_event_delete(&child) }
                    if child.type == YAML_SEQUENCE_END_EVENT { break }
                    let item = try compose(&child)
                    items.append(item.node)
                    size += item.size
                }
                result = (.sequence(Node.Sequence(items: items, mark: mark)), size)
            case YAML_MAPPING_START_EVENT:
                try spend(1, at: mark)
                try descend(at: mark)
                defer { depth -= 1 }
                anchor = event.data.mapping_start.anchor
                let isFlow = event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                var pairs: [(key: Node, value: Node)] = []
                var size = 1
                while true {
                    var keyEvent = try next()
                    defer { yaml_event_delete(&keyEvent) }
                    if keyEvent.type == YAML_MAPPING_END_EVENT { break }
                    let key = try compose(&keyEvent)
                    var valueEvent = try next()
                    defer { yaml_event_delete(&valueEvent) }
                    let value = try compose(&valueEvent)
                    pairs.append((key.node, value.node))
                    size += key.size + value.size
                }
                result = (.mapping(Node.Mapping(pairs: pairs, mark: mark, isFlow: isFlow)), size)
            default:
                throw failure("unexpected YAML event", at: event)
            }
            if let anchor { anchors[Self.string(anchor)] = result }
            return result
        }

        /// Counts `nodes` against the budget.
        private mutating func spend(_ nodes: Int, at mark: Node.Mark) throws {
            budget -= nodes
            guard budget >= 0 else {
                throw Failure(diagnostic: Diagnostic(SourceLocation(path: path, line: mark.line, column: mark.column),
                                                     "document expands to more than \(YAMLDocument.maxNodes) nodes (YAML aliases?); refusing to read it"))
            }
        }

        /// Enters a list or mapping.
        private mutating func descend(at mark: Node.Mark) throws {
            depth += 1
            guard depth <= YAMLDocument.maxDepth else {
                throw Failure(diagnostic: Diagnostic(SourceLocation(path: path, line: mark.line, column: mark.column),
                                                     "lists and mappings nested more than \(YAMLDocument.maxDepth) deep; refusing to read it"))
            }
        }

        private func failure(_ problem: String, at event: yaml_event_t) -> Failure {
            Failure(diagnostic: Diagnostic(SourceLocation(path: path, line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1),
                                           "invalid YAML: \(problem)"))
        }

        /// libyaml's own error: its problem and context, at the problem's place.
        private func libyamlDiagnostic() -> Diagnostic {
            let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
            switch parser.error {
            case YAML_READER_ERROR:
                return Diagnostic(SourceLocation(path: path), "cannot read YAML: \(problem) at byte \(parser.problem_offset)")
            case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
                let mark = parser.problem_mark
                let context = parser.context.map { " (\(String(cString: $0)) at \(parser.context_mark.line + 1):\(parser.context_mark.column + 1))" } ?? ""
                return Diagnostic(SourceLocation(path: path, line: Int(mark.line) + 1, column: Int(mark.column) + 1), "invalid YAML: \(problem)\(context)")
            default:
                return Diagnostic(SourceLocation(path: path), "invalid YAML")
            }
        }

        private static func string(_ text: UnsafeMutablePointer<yaml_char_t>) -> String {
            String(cString: UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self))
        }

        private static func style(_ style: yaml_scalar_style_t) -> Node.Scalar.Style {
            switch style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: return .literal
            case YAML_FOLDED_SCALAR_STYLE: return .folded
            default: return .plain
            }
        }
    }
}
