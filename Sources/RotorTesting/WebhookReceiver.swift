import Foundation

/// `scripts/webhook-receiver` on 127.0.0.1: a real HTTP receiver that verifies every delivery
/// with PyPI's `standardwebhooks` (independent of rotor) and logs what it saw.
public final class WebhookReceiver: Sendable {
    /// One path the receiver serves: which service it belongs to and how it misbehaves
    /// (`fail=N`, `hang=N`, `status=CODE`, `retry-after=S`, comma-separated).
    public struct Route: Sendable {
        public let path: String
        public let service: String
        public let behaviour: String
        public init(_ path: String, service: String, behaviour: String = "") {
            self.path = path
            self.service = service
            self.behaviour = behaviour
        }
    }

    /// One request as the receiver logged it. Never holds a secret.
    public struct Request: Decodable, Sendable {
        public let time: Double
        public let path: String
        public let service: String?
        public let webhookID: String?
        public let webhookTimestamp: String?
        public let contentType: String?
        public let signatures: Int
        public let verifiedWith: [Int]
        /// An Int, or "hang" for a request held open.
        public let status: StatusValue
        public let body: String
        public let error: String?

        enum CodingKeys: String, CodingKey {
            case time, path, service, webhookID = "webhook_id", webhookTimestamp = "webhook_timestamp", contentType = "content_type"
            case signatures, verifiedWith = "verified_with", status, body, error
        }
    }

    /// The status the receiver answered, or that it hung.
    public enum StatusValue: Decodable, Sendable, Equatable {
        case code(Int)
        case hang
        public init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let code = try? container.decode(Int.self) { self = .code(code) } else { self = .hang }
        }
    }

    /// The port it listens on.
    public let port: Int
    /// The folder holding its log and secrets file.
    public let directory: TemporaryDirectory
    private let process: Process

    /// Starts a receiver (on `port`, or a free one) serving `routes`.
    public init(routes: [Route], port: Int = 0) throws {
        try Self.ensureVerifier()
        directory = try TemporaryDirectory(prefix: "wr")
        var arguments = ["--port", String(port), "--log", directory.path("log.jsonl"), "--secrets", directory.path("secrets.json")]
        for route in routes {
            arguments += ["--route", "\(route.path)=\(route.service)" + (route.behaviour.isEmpty ? "" : ",\(route.behaviour)")]
        }
        (process, self.port) = try ScriptServer.start("webhook-receiver", arguments)
    }

    deinit { stop() }

    /// The URL of `path` on this receiver.
    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// The secrets it verifies each service's requests with (written 0600, read on every request).
    public func setSecrets(_ secrets: [String: [String]]) throws {
        let data = try JSONSerialization.data(withJSONObject: secrets)
        let path = directory.path("secrets.json")
        guard FileManager.default.createFile(atPath: path + ".tmp", contents: data, attributes: [.posixPermissions: 0o600]),
              rename(path + ".tmp", path) == 0 else { throw FixtureError("cannot write \(path)") }
    }

    /// Every request so far, in arrival order.
    public func requests() throws -> [Request] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    /// The log file (for canary checks).
    public var logPath: String { directory.path("log.jsonl") }

    /// Stops the receiver (it is stopped on release too).
    public func stop() { ScriptServer.stop(process) }

    /// `scripts/webhook-receiver` in this package.
    public static var scriptPath: String { ScriptServer.path("webhook-receiver") }

    private static let verifierCheck: Result<Void, FixtureError> = {
        let check = { (try? Shell.run("python3", ["-c", "import standardwebhooks"]))?.status == 0 }
        if check() { return .success(()) }
        // The test setup installs the independent verifier when it is missing.
        let install = try? Shell.run(URL(fileURLWithPath: scriptPath).deletingLastPathComponent().appendingPathComponent("install-deps").path, [])
        if check() { return .success(()) }
        return .failure(FixtureError("python3 cannot import standardwebhooks and scripts/install-deps did not fix it: \(install?.stderr ?? "")"))
    }()

    /// Makes sure PyPI's `standardwebhooks` is importable, installing it with `scripts/install-deps` once if not.
    public static func ensureVerifier() throws { try verifierCheck.get() }
}
