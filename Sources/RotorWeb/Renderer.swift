import Foundation
import Mustache

/// Renders the page's templates (``Templates``) with swift-mustache; `{{…}}` escapes HTML, and
/// no template uses `{{{…}}}`, so nothing a spec or a handler says can become markup.
struct Renderer: Sendable {
    private let library: MustacheLibrary

    /// Parses every template once, at start.
    ///
    /// - Throws: The parser's error for a template that does not parse (a bug caught by any test).
    init() throws {
        var library = MustacheLibrary()
        for (name, text) in Templates.all { try library.register(text, named: name) }
        self.library = library
    }

    /// Renders template `name` with `model`.
    func render(_ name: String, _ model: [String: Any]) -> String {
        library.render(Self.normalized(model), withTemplate: name) ?? "<!doctype html><title>rotor</title><p>No template \(name).</p>"
    }

    /// The model with every absent optional made `NSNull`, which mustache treats as missing (false
    /// in a section, empty as a variable) without looking the name up in an enclosing object.
    static func normalized(_ value: Any) -> Any {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return NSNull() }
            return normalized(wrapped)
        }
        if let dictionary = value as? [String: Any] { return dictionary.mapValues(normalized) }
        if let array = value as? [Any] { return array.map(normalized) }
        return value
    }
}
