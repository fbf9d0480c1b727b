import Foundation
import RotorTesting

/// A browser-less client of the management page: curl with a cookie jar, posting forms the way a
/// browser does (`application/x-www-form-urlencoded`), never following redirects. Form bodies
/// (which may carry a key) go to curl in a 0600 file, never in its arguments.
struct PageClient {
    let server: APIServer
    let jar: String

    init(server: APIServer) {
        self.server = server
        jar = server.directory.path("jar-\(UUID().uuidString.prefix(8))")
    }

    /// `GET path`.
    func get(_ path: String, headers: [String] = []) throws -> APIServer.Response {
        try send(["-X", "GET"], path: path, headers: headers)
    }

    /// `POST path` with `fields`, in order.
    func post(_ path: String, _ fields: [(String, String)], headers: [String] = []) throws -> APIServer.Response {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let file = server.directory.path("form-\(UUID().uuidString.prefix(8))")
        guard FileManager.default.createFile(atPath: file, contents: Data(body.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw FixtureError("cannot write \(file)")
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        return try send(["-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", "@\(file)"], path: path, headers: headers)
    }

    /// The CSRF token of the first form in `html`.
    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    private func send(_ arguments: [String], path: String, headers: [String]) throws -> APIServer.Response {
        let stamp = UUID().uuidString.prefix(8)
        let bodyFile = server.directory.path("pb-\(stamp)"), dumpFile = server.directory.path("pd-\(stamp)")
        defer { for file in [bodyFile, dumpFile] { try? FileManager.default.removeItem(atPath: file) } }
        var curl = ["-s", "-S", "-b", jar, "-c", jar, "-o", bodyFile, "-D", dumpFile, "-w", "%{http_code}", "--max-time", "60"] + arguments
        for header in headers { curl += ["-H", header] }
        if let ca = server.caCertificate { curl += ["--cacert", ca] }
        curl.append(server.baseURL + path)
        let output = try Shell.run("curl", curl)
        guard output.status == 0 else { throw FixtureError("curl \(path) failed (\(output.status)): \(output.stderr)") }
        var parsed: [String: String] = [:]
        for line in ((try? String(contentsOfFile: dumpFile, encoding: .utf8)) ?? "").split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased(), value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            // Several Set-Cookie lines: keep them all, one per line.
            parsed[name] = parsed[name].map { $0 + "\n" + value } ?? value
        }
        return APIServer.Response(status: Int(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, headers: parsed,
                                  body: (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? "")
    }

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}
