import Foundation
import RotorTesting

/// A certificate authority made for one test with the openssl command, and a server
/// certificate for 127.0.0.1 that it signed.
struct ThrowawayCA {
    let caCertificate: String
    let certificate: String
    let key: String

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        caCertificate = path("ca.pem")
        certificate = path("server.pem")
        key = path("server-key.pem")
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: path("san.ext"), atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("ca-key.pem"),
             "-out", caCertificate, "-days", "2", "-subj", "/CN=rotor test CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", path("server.csr"),
             "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", path("server.csr"), "-CA", caCertificate, "-CAkey", path("ca-key.pem"), "-CAcreateserial",
             "-out", certificate, "-days", "1", "-extfile", path("san.ext")],
        ]
        for step in steps {
            let output = try Shell.run("openssl", step)
            guard output.status == 0 else { throw FixtureError("openssl \(step[0]) failed: \(output.stderr)") }
        }
    }
}
