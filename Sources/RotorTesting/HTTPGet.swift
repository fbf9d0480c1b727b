import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 GET over a plain socket to 127.0.0.1, for testing `/healthz` and `/metrics`.
public enum HTTPGet {
    /// A response: status code and body.
    public struct Response: Sendable {
        /// The status code.
        public let status: Int
        /// The status line and headers.
        public let headers: String
        /// The body.
        public let body: String
    }

    /// Sends `GET path` to 127.0.0.1:`port` with `Connection: close` and reads the whole response.
    public static func fetch(port: Int, path: String) throws -> Response {
        guard let fd = Loopback.connect(port: port) else {
            throw FixtureError("connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw FixtureError("no HTTP response from 127.0.0.1:\(port): \(text)") }
        let head = String(text[..<split.lowerBound])
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return Response(status: status, headers: head, body: String(text[split.upperBound...]))
    }
}
