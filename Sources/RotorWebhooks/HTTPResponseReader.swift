import NIOCore

/// Reads the HTTP/1.1 responses on one webhook connection (RFC 9112), as far as a sender needs:
/// the final response's status, its `Retry-After`, whether the connection may carry another
/// request, and where its body ends (the body itself is skipped, only counted).
///
/// Interim responses (1xx) are skipped. The body is framed as RFC 9112 §6.3 says for a response
/// to a POST: none for 204 and 304, chunked or "until the connection closes" when
/// `Transfer-Encoding` is present, else `Content-Length`, else until the connection closes.
/// Lines may end in CRLF or a bare LF.
///
/// Bytes go in with ``append(_:)``; ``next()`` then returns what they complete, one event at a
/// time, and nil when it needs more. One reader serves one exchange.
struct HTTPResponseReader {
    /// A final response's head.
    struct Head: Equatable {
        var status: Int
        var retryAfter: String?
        /// Whether the connection may carry another request once the body has ended.
        var keepAlive: Bool
    }

    enum Event: Equatable {
        /// The final response's head arrived.
        case head(Head)
        /// Its body ended: the response is complete.
        case end
    }

    /// The receiver's bytes are not an HTTP/1.1 response.
    struct Malformed: Error, CustomStringConvertible {
        let problem: String
        var description: String { "the receiver's answer is not valid HTTP/1.1: \(problem)" }
    }

    /// The longest response head read (status line and header fields).
    static let maxHeadBytes = 64 * 1024
    /// The most interim (1xx) responses read before the final one.
    static let maxInterimResponses = 16

    private enum State {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    private var state = State.head
    private var pending = ByteBuffer()
    /// How far ``pending`` was searched for the end of the head.
    private var searched = 0
    /// How many interim responses went past.
    private var interim = 0
    /// How many body bytes went past (and were dropped), chunk framing and trailers included:
    /// what a caller caps.
    private(set) var bodyBytes = 0

    /// Whether the response is complete and nothing followed it (a second answer to one
    /// request means the connection cannot be trusted with another).
    var endedCleanly: Bool {
        if case .done = state { return pending.readableBytes == 0 }
        return false
    }

    mutating func append(_ bytes: ByteBuffer) {
        if pending.readableBytes == 0 {
            pending = bytes
        } else {
            var bytes = bytes
            pending.writeBuffer(&bytes)
        }
    }

    /// The next event the bytes so far complete, or nil when more are needed.
    mutating func next() throws -> Event? {
        while true {
            switch state {
            case .done:
                return nil
            case .head:
                switch try readHead() {
                case .incomplete: return nil
                case .final(let head): return .head(head)
                case .interim: break  // the final one follows
                }
                interim += 1
                guard interim <= Self.maxInterimResponses else {
                    throw Malformed(problem: "more than \(Self.maxInterimResponses) interim (1xx) responses")
                }
            case .body(let remaining):
                if remaining == 0 {
                    state = .done
                    return .end
                }
                let taken = skip(upTo: remaining)
                guard taken > 0 else { return nil }
                state = .body(remaining: remaining - taken)
            case .untilClose:
                _ = skip(upTo: Int.max)
                return nil
            case .chunkSize:
                guard let line = try readLine(limit: 1024, what: "a chunk size line") else { return nil }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                if remaining == 0 {
                    state = .chunkDataEnd
                    continue
                }
                let taken = skip(upTo: remaining)
                guard taken > 0 else { return nil }
                state = .chunkData(remaining: remaining - taken)
            case .chunkDataEnd:
                guard let line = try readLine(limit: 2, what: "the end of a chunk") else { return nil }
                guard line.isEmpty else { throw Malformed(problem: "a chunk is longer than its size says") }
                state = .chunkSize
            case .trailers:
                guard let line = try readLine(limit: Self.maxHeadBytes, what: "a trailer field") else { return nil }
                if line.isEmpty {
                    state = .done
                    return .end
                }
            }
        }
    }

    /// The connection closed: `.end` when that is how the body ends, nil otherwise (the
    /// response is then incomplete).
    mutating func endOfInput() -> Event? {
        guard case .untilClose = state else { return nil }
        state = .done
        return .end
    }

    // MARK: - Head

    /// What reading a head gave.
    private enum HeadRead {
        /// More bytes are needed.
        case incomplete
        /// An interim (1xx) response, skipped.
        case interim
        /// The final response's head.
        case final(Head)
    }

    private mutating func readHead() throws -> HeadRead {
        // However little has arrived, the start must look like a status line.
        let start = pending.getBytes(at: pending.readerIndex, length: min(5, pending.readableBytes)) ?? []
        guard start.elementsEqual(Array("HTTP/".utf8).prefix(start.count)) else {
            throw Malformed(problem: "it does not start with HTTP/")
        }
        let found: Int? = pending.withUnsafeReadableBytes { bytes in
            var index = max(0, searched - 2)
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\n") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { return index + 2 }
                    if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\r"), bytes[index + 2] == UInt8(ascii: "\n") { return index + 3 }
                }
                index += 1
            }
            return nil
        }
        guard (found ?? pending.readableBytes) <= Self.maxHeadBytes else {
            throw Malformed(problem: "the response head is longer than \(Self.maxHeadBytes / 1024) KiB")
        }
        guard let end = found else {
            searched = pending.readableBytes
            return .incomplete
        }
        searched = 0
        let bytes = pending.readBytes(length: end)!
        var lines = Self.lines(bytes)
        guard !lines.isEmpty else { throw Malformed(problem: "an empty response head") }
        let (minor, status) = try Self.statusLine(lines.removeFirst())
        var fields = Fields()
        for line in lines { try fields.add(line) }
        if (100...199).contains(status) && status != 101 { return .interim }
        let keepAlive: Bool
        if fields.connection.contains("close") || status == 101 {
            keepAlive = false
        } else {
            keepAlive = minor >= 1 || fields.connection.contains("keep-alive")
        }
        var head = Head(status: status, retryAfter: fields.retryAfter, keepAlive: keepAlive)
        if status == 101 || status == 204 || status == 304 {
            state = .body(remaining: 0)
        } else if let codings = fields.transferEncoding {
            if codings.last == "chunked" {
                state = .chunkSize
            } else {
                state = .untilClose
                head.keepAlive = false
            }
        } else if let length = fields.contentLength {
            state = .body(remaining: length)
        } else {
            state = .untilClose
            head.keepAlive = false
        }
        return .final(head)
    }

    /// The head's lines, without their line ends (the blank line that ends it dropped).
    private static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            var line = bytes[start..<index]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            lines.append(line)
            start = index + 1
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    /// `HTTP/1.x SP 3DIGIT [SP reason]`: the minor version and the status.
    private static func statusLine(_ line: ArraySlice<UInt8>) throws -> (minor: Int, status: Int) {
        let bytes = Array(line)
        guard bytes.count >= 12, bytes.starts(with: Array("HTTP/1.".utf8)), Self.isDigit(bytes[7]), bytes[8] == UInt8(ascii: " "),
              bytes[9...11].allSatisfy(Self.isDigit), bytes.count == 12 || bytes[12] == UInt8(ascii: " ") else {
            throw Malformed(problem: "the status line \(Self.printable(bytes.prefix(40))) is not HTTP/1.x NNN")
        }
        let status = bytes[9...11].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard status >= 100 else { throw Malformed(problem: "status \(status) is out of range") }
        return (Int(bytes[7] - UInt8(ascii: "0")), status)
    }

    /// The header fields a sender acts on.
    private struct Fields {
        var contentLength: Int?
        var transferEncoding: [String]?
        var connection: Set<String> = []
        var retryAfter: String?
        private var sawField = false

        mutating func add(_ line: ArraySlice<UInt8>) throws {
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                // An obsolete line folding: it continues the previous field, which no field read here uses.
                guard sawField else { throw Malformed(problem: "the head starts with a folded line") }
                return
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                throw Malformed(problem: "the header line \(printable(line.prefix(40))) has no field name")
            }
            let nameBytes = line[line.startIndex..<colon]
            guard nameBytes.allSatisfy(HTTPResponseReader.isTokenCharacter) else {
                throw Malformed(problem: "the field name \(printable(nameBytes.prefix(40))) has a character HTTP forbids")
            }
            let name = String(decoding: nameBytes, as: UTF8.self).lowercased()
            let value = Self.trimmed(String(decoding: line[(colon + 1)...], as: UTF8.self))
            sawField = true
            switch name {
            case "content-length":
                // A list of equal lengths counts as one (RFC 9112 §6.3); different ones are refused.
                for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let text = Self.trimmed(item)
                    guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy(HTTPResponseReader.isDigit), let length = Int(text) else {
                        throw Malformed(problem: "Content-Length \(printable(Array(value.utf8).prefix(40))) is not a number")
                    }
                    if let known = contentLength, known != length { throw Malformed(problem: "two different Content-Length values") }
                    contentLength = length
                }
            case "transfer-encoding":
                transferEncoding = (transferEncoding ?? []) + Self.tokens(value)
            case "connection":
                connection.formUnion(Self.tokens(value))
            case "retry-after":
                if retryAfter == nil { retryAfter = value }
            default:
                break
            }
        }

        static func tokens(_ value: String) -> [String] {
            value.split(separator: ",").map { trimmed($0).lowercased() }.filter { !$0.isEmpty }
        }

        /// Without HTTP's optional whitespace (spaces and tabs) around it. Not Foundation's
        /// `trimmingCharacters(in:)`: this runs on the event loop for every answer, where that
        /// made a delivery pass a few percent slower (10 interleaved runs each).
        static func trimmed(_ text: some StringProtocol) -> String {
            let isSpace = { (character: Character) in character == " " || character == "\t" }
            guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
            return String(text[first...last])
        }
    }

    // MARK: - Body

    /// Drops up to `limit` body bytes from what arrived; how many it dropped.
    private mutating func skip(upTo limit: Int) -> Int {
        let taken = min(limit, pending.readableBytes)
        pending.moveReaderIndex(forwardBy: taken)
        bodyBytes += taken
        if pending.readableBytes == 0 { pending.clear() }
        return taken
    }

    /// One line (without its line end), or nil until it is complete.
    private mutating func readLine(limit: Int, what: String) throws -> ArraySlice<UInt8>? {
        let found = pending.withUnsafeReadableBytes { $0.firstIndex(of: UInt8(ascii: "\n")) }
        guard let end = found else {
            guard pending.readableBytes <= limit + 1 else { throw Malformed(problem: "\(what) is too long") }
            return nil
        }
        bodyBytes += end + 1
        var line = pending.readBytes(length: end + 1)![...].dropLast()
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        guard line.count <= limit else { throw Malformed(problem: "\(what) is too long") }
        return line
    }

    /// A chunk size line: hex digits, then optional `;extensions`.
    private static func chunkSize(_ line: ArraySlice<UInt8>) throws -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                guard digits > 0 else { throw Malformed(problem: "a chunk size line has no size") }
                return size
            default:
                throw Malformed(problem: "the chunk size \(printable(line.prefix(20))) is not hexadecimal")
            }
            digits += 1
            guard digits <= 15 else { throw Malformed(problem: "a chunk size is out of range") }
            size = size * 16 + value
        }
        guard digits > 0 else { throw Malformed(problem: "a chunk size line has no size") }
        return size
    }

    // MARK: - Characters

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    /// RFC 9110 `tchar`.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return tokenPunctuation.contains(byte)
        }
    }

    private static let tokenPunctuation = Set("!#$%&'*+-.^_`|~".utf8)

    /// Bytes quoted for an error message, with anything unprintable escaped.
    static func printable(_ bytes: some Sequence<UInt8>) -> String {
        var text = "\""
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7f && byte != UInt8(ascii: "\"") { text.unicodeScalars.append(Unicode.Scalar(byte)) } else { text += "\\x" + String(byte, radix: 16) }
        }
        return text + "\""
    }
}
