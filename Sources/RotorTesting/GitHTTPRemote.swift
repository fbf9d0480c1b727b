import Foundation

/// `scripts/git-http-remote` on 127.0.0.1: the repositories under a folder served over git's smart
/// HTTP (`git http-backend`), fetch and push, to requests with one user and password only.
public final class GitHTTPRemote: Sendable {
    /// One request as the server logged it (never the credential).
    public struct Request: Decodable, Sendable {
        public let method: String
        public let path: String
        /// `ok`, `wrong` or `none`.
        public let auth: String
        public let status: Int
    }

    /// The port it listens on.
    public let port: Int
    private let directory: TemporaryDirectory
    private let process: Process

    /// Serves the repositories under `root` to `user`:`password` (given to the server in a 0600 file).
    public init(root: String, user: String, password: String) throws {
        directory = try TemporaryDirectory(prefix: "gh")
        let credentials = directory.path("credentials")
        guard FileManager.default.createFile(atPath: credentials, contents: Data("\(user):\(password)\n".utf8),
                                             attributes: [.posixPermissions: 0o600]) else { throw FixtureError("cannot write \(credentials)") }
        (process, port) = try ScriptServer.start("git-http-remote", ["--root", root, "--credentials", credentials,
                                                                      "--log", directory.path("log.jsonl")])
    }

    deinit { stop() }

    /// The URL of the repository `name` (a folder under the root), with `userInfo` (`user:password`) when given.
    public func url(_ name: String, userInfo: String? = nil) -> String {
        "http://\(userInfo.map { $0 + "@" } ?? "")127.0.0.1:\(port)/\(name)"
    }

    /// Every request so far, in arrival order.
    public func requests() throws -> [Request] {
        guard let text = try? String(contentsOfFile: directory.path("log.jsonl"), encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    /// Stops the server (it is stopped on release too).
    public func stop() { ScriptServer.stop(process) }
}
