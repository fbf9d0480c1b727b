import Hummingbird
import RotorServer

/// The fields of a submitted form or of a query string (`application/x-www-form-urlencoded`),
/// decoded by Hummingbird's form decoder.
struct Form: Sendable {
    /// The largest form body read (a create proposal with a long consumer list fits many times over).
    static let maximumBody = 64 * 1024

    private let fields: [String: String]

    /// Decodes `text` (`a=1&b=two+words`); text that does not decode is an empty form.
    init(_ text: String?) {
        guard let text, !text.isEmpty else {
            fields = [:]
            return
        }
        fields = (try? URLEncodedFormDecoder().decode([String: String].self, from: text)) ?? [:]
    }

    /// Reads a POST body: 415 unless it is a form, 413 past ``maximumBody``.
    static func read(_ request: Request) async throws -> Form {
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
            throw APIProblem(slug: "unsupported-media-type", status: 415, title: "Unsupported media type",
                             detail: "the page's forms send application/x-www-form-urlencoded, not \(type.isEmpty ? "an untyped body" : type)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBody)
        } catch {
            throw APIProblem(slug: "too-large", status: 413, title: "Form too large", detail: "a form may send at most \(maximumBody / 1024) KiB")
        }
        return Form(String(buffer: buffer))
    }

    /// The field, or nil when absent or blank.
    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The field, or 422 naming it.
    func required(_ name: String, _ label: String) throws -> String {
        guard let value = self[name] else { throw APIProblem.invalid("\(label) is required") }
        return value
    }

    /// Whether a checkbox was ticked.
    func checked(_ name: String) -> Bool {
        self[name] != nil
    }
}
