import Foundation

/// A real `rotor serve` on 127.0.0.1 (a free port), with an ``APIClient`` for it.
public final class APIServer: Sendable {
    /// The running server.
    public let process: RunningProcess
    /// `http://127.0.0.1:PORT` (or https).
    public let baseURL: String
    /// Where header files and outputs go.
    public let directory: TemporaryDirectory
    /// A CA certificate curl trusts (for https).
    public let caCertificate: String?

    /// An answer (the client's).
    public typealias Response = APIClient.Response

    /// Starts `rotor serve` for `repo` and waits until it listens.
    ///
    /// - Parameters:
    ///   - arguments: Extra arguments (`--at`, `--tls-cert`, …).
    ///   - caCertificate: The CA that signed `--tls-cert`, for curl.
    public init(repo: SecretsRepoFixture, arguments: [String] = [], environment: [String: String] = [:], caCertificate: String? = nil) throws {
        directory = try TemporaryDirectory(prefix: "as")
        var env = ["GNUPGHOME": repo.keyring.path]
        for (key, value) in environment { env[key] = value }
        let process = try RunningProcess(Shell.rotorExecutable,
                                     ["serve", "--repo", repo.root, "--state", repo.statePath, "--listen", "127.0.0.1:0", "--log-format", "json"] + arguments,
                                     environment: env, directory: directory.path)
        self.process = process
        self.caCertificate = caCertificate
        var found: String?
        let started = waitUntil(timeout: 60) {
            if let line = process.stderr.split(separator: "\n").first(where: { $0.hasPrefix("rotor: serving ") }) {
                found = String(line.dropFirst("rotor: serving ".count))
                return true
            }
            return !process.process.isRunning
        }
        guard started, let found else {
            throw FixtureError("rotor serve did not start: \(process.stderr)\(process.stdout)")
        }
        baseURL = found
    }

    /// Stops the server with SIGTERM and waits for it.
    public func stop() -> Int32? {
        process.send(SIGTERM)
        return process.waitForExit(timeout: 30)
    }

    /// The client for this server.
    public var client: APIClient { APIClient(baseURL: baseURL, directory: directory, caCertificate: caCertificate) }

    /// Sends a request with curl (see ``APIClient/request(_:_:key:json:headers:)``).
    public func request(_ method: String, _ path: String, key: String? = nil, json: String? = nil,
                        headers: [String] = []) throws -> APIClient.Response {
        try client.request(method, path, key: key, json: json, headers: headers)
    }
}

/// A client for rotor's API that is `curl`: an HTTP implementation that is not rotor's. Keys go
/// to curl in a header file (mode 0600), never in its arguments.
public struct APIClient: Sendable {
    /// `http://127.0.0.1:PORT` (or https).
    public let baseURL: String
    /// Where header files and bodies go.
    public let directory: TemporaryDirectory
    /// A CA certificate curl trusts (for https).
    public let caCertificate: String?

    /// A client for `baseURL`, its files in `directory`.
    public init(baseURL: String, directory: TemporaryDirectory, caCertificate: String? = nil) {
        self.baseURL = baseURL
        self.directory = directory
        self.caCertificate = caCertificate
    }

    /// An answer.
    public struct Response: Sendable {
        public let status: Int
        /// Header lines, lower-cased names: `content-type: application/json`.
        public let headers: [String: String]
        public let body: String

        public init(status: Int, headers: [String: String], body: String) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// The body as JSON.
        public func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                throw FixtureError("not a JSON object: \(body)")
            }
            return object
        }
    }

    /// Sends a request with curl; `key` goes in an `Authorization: Bearer` header read from a file.
    public func request(_ method: String, _ path: String, key: String? = nil, json: String? = nil,
                        headers: [String] = []) throws -> Response {
        let stamp = UUID().uuidString.prefix(8)
        let headerFile = directory.path("h-\(stamp)"), bodyFile = directory.path("b-\(stamp)"), dumpFile = directory.path("d-\(stamp)")
        var lines = headers
        if let key { lines.append("Authorization: Bearer \(key)") }
        if json != nil { lines.append("Content-Type: application/json") }
        guard FileManager.default.createFile(atPath: headerFile, contents: Data(lines.joined(separator: "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw FixtureError("cannot write \(headerFile)")
        }
        defer { for file in [headerFile, bodyFile, dumpFile] { try? FileManager.default.removeItem(atPath: file) } }
        var arguments = ["-s", "-S", "-X", method, "-H", "@\(headerFile)", "-o", bodyFile, "-D", dumpFile, "-w", "%{http_code}", "--max-time", "60"]
        if let json {
            try json.write(toFile: directory.path("j-\(stamp)"), atomically: true, encoding: .utf8)
            arguments += ["--data-binary", "@\(directory.path("j-\(stamp)"))"]
        }
        if let caCertificate { arguments += ["--cacert", caCertificate] }
        arguments.append(baseURL + path)
        let output = try Shell.run("curl", arguments)
        guard output.status == 0 else { throw FixtureError("curl \(method) \(path) failed (\(output.status)): \(output.stderr)") }
        var parsed: [String: String] = [:]
        for line in ((try? String(contentsOfFile: dumpFile, encoding: .utf8)) ?? "").split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            parsed[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: Int(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, headers: parsed,
                        body: (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? "")
    }
}
