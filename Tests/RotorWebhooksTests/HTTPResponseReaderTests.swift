import NIOCore
import Testing
@testable import RotorWebhooks

/// The webhook client's HTTP/1.1 response reader and request writer, byte by byte. (The client
/// against real sockets and a misbehaving receiver is in WebhookHTTPClientTests.)
@Suite("HTTP/1.1 responses read and requests written")
struct HTTPResponseReaderTests {
    typealias Head = HTTPResponseReader.Head

    /// What reading `text` in the given pieces gives: the events, whether the connection then
    /// closing ended it, the body bytes skipped and whether nothing followed the response.
    struct Reading: Equatable {
        var events: [HTTPResponseReader.Event] = []
        var bodyBytes = 0
        var endedCleanly = false
    }

    static func read(_ pieces: [[UInt8]], close: Bool = false) throws -> Reading {
        var reader = HTTPResponseReader()
        var reading = Reading()
        for piece in pieces {
            reader.append(ByteBuffer(bytes: piece))
            while let event = try reader.next() { reading.events.append(event) }
        }
        if close, let event = reader.endOfInput() { reading.events.append(event) }
        reading.bodyBytes = reader.bodyBytes
        reading.endedCleanly = reader.endedCleanly
        return reading
    }

    /// Reads `text` whole, split at every point, and one byte at a time: all must agree.
    static func readEveryWay(_ text: String, close: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws -> Reading {
        let bytes = Array(text.utf8)
        let whole = try read([bytes], close: close)
        for cut in 1..<max(1, bytes.count) {
            #expect(try read([Array(bytes[..<cut]), Array(bytes[cut...])], close: close) == whole, "split at \(cut)", sourceLocation: sourceLocation)
        }
        #expect(try read(bytes.map { [$0] }, close: close) == whole, "byte by byte", sourceLocation: sourceLocation)
        return whole
    }

    static func malformed(_ text: String) -> String? {
        do {
            _ = try read([Array(text.utf8)])
            return nil
        } catch let error as HTTPResponseReader.Malformed {
            return error.problem
        } catch {
            return "\(error)"
        }
    }

    @Test func aResponseIsReadTheSameHoweverItsBytesArrive() throws {
        #expect(try Self.readEveryWay("HTTP/1.1 204 No Content\r\nDate: Wed, 02 Dec 2026 00:00:00 GMT\r\n\r\n")
            == Reading(events: [.head(Head(status: 204, retryAfter: nil, keepAlive: true)), .end], bodyBytes: 0, endedCleanly: true))
        #expect(try Self.readEveryWay("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello")
            == Reading(events: [.head(Head(status: 200, retryAfter: nil, keepAlive: true)), .end], bodyBytes: 5, endedCleanly: true))
        // Chunked, with a chunk extension, an upper-case size and a trailer field.
        // (Its framing and trailer count as body bytes too: what the client caps at 64 KiB.)
        #expect(try Self.readEveryWay("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;name=value\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n")
            == Reading(events: [.head(Head(status: 200, retryAfter: nil, keepAlive: true)), .end], bodyBytes: 15 + 14 + 2 + 3 + 2 + 3 + 14 + 2, endedCleanly: true))
        // An interim response is skipped; the final one's Retry-After is kept.
        #expect(try Self.readEveryWay("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Service Unavailable\r\nretry-after:  7 \r\nContent-Length: 0\r\n\r\n")
            == Reading(events: [.head(Head(status: 503, retryAfter: "7", keepAlive: true)), .end], bodyBytes: 0, endedCleanly: true))
        // Bare LF line ends, no reason phrase, equal repeated lengths.
        #expect(try Self.readEveryWay("HTTP/1.1 202\nContent-Length: 2, 2\nContent-Length: 2\n\nok")
            == Reading(events: [.head(Head(status: 202, retryAfter: nil, keepAlive: true)), .end], bodyBytes: 2, endedCleanly: true))
    }

    @Test func whetherTheConnectionCarriesAnotherRequest() throws {
        func keepAlive(_ text: String) throws -> Bool? {
            guard case .head(let head) = try Self.read([Array(text.utf8)]).events.first else { return nil }
            return head.keepAlive
        }
        #expect(try keepAlive("HTTP/1.1 204 No Content\r\n\r\n") == true)
        #expect(try keepAlive("HTTP/1.1 204 No Content\r\nConnection: Close\r\n\r\n") == false)
        #expect(try keepAlive("HTTP/1.1 204 No Content\r\nConnection: upgrade, close\r\n\r\n") == false)
        #expect(try keepAlive("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n") == false)
        #expect(try keepAlive("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n") == true)
        // A body that ends only with the connection cannot leave it reusable.
        #expect(try keepAlive("HTTP/1.1 200 OK\r\n\r\nbody") == false)
        #expect(try keepAlive("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nbody") == false)
        // Something after the answer: the connection is out of step.
        let extra = try Self.read([Array("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n".utf8)])
        #expect(extra.events == [.head(Head(status: 204, retryAfter: nil, keepAlive: true)), .end] && !extra.endedCleanly)
    }

    @Test func aBodyWithoutALengthEndsWithTheConnection() throws {
        let open = try Self.readEveryWay("HTTP/1.1 500 Internal Server Error\r\n\r\nsomething broke")
        #expect(open.events == [.head(Head(status: 500, retryAfter: nil, keepAlive: false))] && open.bodyBytes == 15 && !open.endedCleanly)
        let closed = try Self.readEveryWay("HTTP/1.1 500 Internal Server Error\r\n\r\nsomething broke", close: true)
        #expect(closed.events == [.head(Head(status: 500, retryAfter: nil, keepAlive: false)), .end] && closed.endedCleanly)
        // A response cut short is not ended by the close: the caller decides what an incomplete answer means.
        let cut = try Self.read([Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8)], close: true)
        #expect(cut.events == [.head(Head(status: 200, retryAfter: nil, keepAlive: true))] && cut.bodyBytes == 3)
        let cutChunk = try Self.read([Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab".utf8)], close: true)
        #expect(cutChunk.events.count == 1)
    }

    @Test func whatIsNotHTTPIsNamed() {
        #expect(Self.malformed("garbage that is not a response\r\n\r\n") == "it does not start with HTTP/")
        #expect(Self.malformed("SSH-2.0-OpenSSH_9.2") == "it does not start with HTTP/")
        #expect(Self.malformed("HTTP/2 200\r\n\r\n")?.hasPrefix("the status line \"HTTP/2 200\"") == true)
        #expect(Self.malformed("HTTP/1.1 2OO OK\r\n\r\n")?.hasPrefix("the status line") == true)
        #expect(Self.malformed("HTTP/1.1 099 Low\r\n\r\n") == "status 99 is out of range")
        #expect(Self.malformed("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n") == "two different Content-Length values")
        #expect(Self.malformed("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n") == "Content-Length \"-1\" is not a number")
        #expect(Self.malformed("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n") == "the field name \"Bad Name\" has a character HTTP forbids")
        #expect(Self.malformed("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n") == "the header line \"no colon here\" has no field name")
        #expect(Self.malformed("HTTP/1.1 200 OK\r\n folded: x\r\n\r\n") == "the head starts with a folded line")
        #expect(Self.malformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") == "the chunk size \"zz\" is not hexadecimal")
        #expect(Self.malformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;x\r\n") == "a chunk size line has no size")
        #expect(Self.malformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n") == "a chunk is longer than its size says")
        #expect(Self.malformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n") == "a chunk size is out of range")
        #expect(Self.malformed(String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 17)) == "more than 16 interim (1xx) responses")
        #expect(Self.malformed(String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 16)) == nil)
        let huge = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Filler: " + String(repeating: "y", count: 90) + "\r\n", count: 700)
        #expect(Self.malformed(huge) == "the response head is longer than 64 KiB")
        #expect(Self.malformed(huge + "\r\n") == "the response head is longer than 64 KiB")
    }

    @Test func theRequestGoesOutAsOneBufferAndNoFieldCanSmuggleAnother() throws {
        let target = try WebhookTarget(url: "http://127.0.0.1:8080/hooks/a?x=1")
        let request = try #require(WebhookHTTPClient.serialize(target: target, headers: [("content-type", "application/json"), ("webhook-id", "evt_1")],
                                                               body: Array("{}".utf8)))
        #expect(String(buffer: request) == "POST /hooks/a?x=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\ncontent-type: application/json\r\nwebhook-id: evt_1\r\ncontent-length: 2\r\n\r\n{}")
        #expect(WebhookHTTPClient.serialize(target: target, headers: [("x-a", "1\r\nx-injected: 1")], body: []) == nil)
        #expect(WebhookHTTPClient.serialize(target: target, headers: [("x-a", "1\nGET / HTTP/1.1")], body: []) == nil)
        #expect(WebhookHTTPClient.serialize(target: target, headers: [("x-a", "a\u{0}b")], body: []) == nil)
        #expect(WebhookHTTPClient.serialize(target: target, headers: [("x a", "1")], body: []) == nil)
        #expect(WebhookHTTPClient.serialize(target: target, headers: [("", "1")], body: []) == nil)
        #expect(WebhookHTTPClient.serialize(target: target, headers: [("x-a:", "1")], body: []) == nil)
        let tls = try #require(WebhookHTTPClient.serialize(target: try WebhookTarget(url: "https://hooks.example.com/"), headers: [], body: []))
        #expect(String(buffer: tls) == "POST / HTTP/1.1\r\nhost: hooks.example.com\r\ncontent-length: 0\r\n\r\n")
    }
}
