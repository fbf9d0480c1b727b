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
        let startsWell = pending.withUnsafeReadableBytes { bytes in
            zip(bytes.prefix(5), Self.httpSlash).allSatisfy { $0 == $1 }
        }
        guard startsWell else { throw Malformed(problem: "it does not start with HTTP/") }
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
        // The head is read where it lies, line by line, without copying it: this runs on the
        // event loop for every answer.
        let (minor, status, fields) = try pending.withUnsafeReadableBytes { buffer in
            try Self.head(UnsafeRawBufferPointer(rebasing: buffer[..<end]))
        }
        pending.moveReaderIndex(forwardBy: end)
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

    /// The status line and the fields of a head: `bytes` run up to and including the blank
    /// line that ends it. Lines end in LF, with or without a CR before it.
    private static func head(_ bytes: UnsafeRawBufferPointer) throws -> (minor: Int, status: Int, fields: Fields) {
        var status: (minor: Int, status: Int)?
        var fields = Fields()
        var start = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            var line = bytes[start..<index]
            start = index + 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.isEmpty { break }  // the blank line: the end of the head
            if status == nil { status = try statusLine(line) } else { try fields.add(line) }
        }
        guard let status else { throw Malformed(problem: "an empty response head") }
        return (status.minor, status.status, fields)
    }

    /// `HTTP/1.x SP 3DIGIT [SP reason]`: the minor version and the status.
    private static func statusLine(_ line: Slice<UnsafeRawBufferPointer>) throws -> (minor: Int, status: Int) {
        let at = { (offset: Int) in line[line.startIndex + offset] }
        guard line.count >= 12, line.starts(with: httpOne), isDigit(at(7)), at(8) == UInt8(ascii: " "),
              isDigit(at(9)), isDigit(at(10)), isDigit(at(11)), line.count == 12 || at(12) == UInt8(ascii: " ") else {
            throw Malformed(problem: "the status line \(printable(line.prefix(40))) is not HTTP/1.x NNN")
        }
        let status = (9...11).reduce(0) { $0 * 10 + Int(at($1) - UInt8(ascii: "0")) }
        guard status >= 100 else { throw Malformed(problem: "status \(status) is out of range") }
        return (Int(at(7) - UInt8(ascii: "0")), status)
    }

    private static let httpSlash = Array("HTTP/".utf8)
    private static let httpOne = Array("HTTP/1.".utf8)

    /// The header fields a sender acts on.
    private struct Fields {
        var contentLength: Int?
        var transferEncoding: [String]?
        var connection: Set<String> = []
        var retryAfter: String?
        private var sawField = false

        private static let contentLengthName = Array("content-length".utf8)
        private static let transferEncodingName = Array("transfer-encoding".utf8)
        private static let connectionName = Array("connection".utf8)
        private static let retryAfterName = Array("retry-after".utf8)

        /// One field line. Names are compared and values trimmed on the bytes; only the values of
        /// the few fields read become strings.
        mutating func add(_ line: Slice<UnsafeRawBufferPointer>) throws {
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                // An obsolete line folding: it continues the previous field, which no field read here uses.
                guard sawField else { throw Malformed(problem: "the head starts with a folded line") }
                return
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                throw Malformed(problem: "the header line \(printable(line.prefix(40))) has no field name")
            }
            let name = line[line.startIndex..<colon]
            guard name.allSatisfy(HTTPResponseReader.isTokenCharacter) else {
                throw Malformed(problem: "the field name \(printable(name.prefix(40))) has a character HTTP forbids")
            }
            let value = Self.trimmed(line[(colon + 1)...])
            sawField = true
            if Self.named(name, Self.contentLengthName) {
                // A list of equal lengths counts as one (RFC 9112 §6.3); different ones are refused.
                for item in value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                    let digits = Self.trimmed(item)
                    guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(HTTPResponseReader.isDigit) else {
                        throw Malformed(problem: "Content-Length \(printable(value.prefix(40))) is not a number")
                    }
                    let length = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                    if let known = contentLength, known != length { throw Malformed(problem: "two different Content-Length values") }
                    contentLength = length
                }
            } else if Self.named(name, Self.transferEncodingName) {
                transferEncoding = (transferEncoding ?? []) + Self.tokens(value)
            } else if Self.named(name, Self.connectionName) {
                connection.formUnion(Self.tokens(value))
            } else if Self.named(name, Self.retryAfterName) {
                if retryAfter == nil { retryAfter = String(decoding: value, as: UTF8.self) }
            }
        }

        /// Whether a field name is `lowercased`, in any case.
        static func named(_ name: Slice<UnsafeRawBufferPointer>, _ lowercased: [UInt8]) -> Bool {
            name.count == lowercased.count && zip(name, lowercased).allSatisfy { lower($0) == $1 }
        }

        static func lower(_ byte: UInt8) -> UInt8 {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
        }

        /// A comma-separated list's items, lowercased, empty ones left out.
        static func tokens(_ value: Slice<UnsafeRawBufferPointer>) -> [String] {
            value.split(separator: UInt8(ascii: ",")).map { String(decoding: trimmed($0).map(lower), as: UTF8.self) }.filter { !$0.isEmpty }
        }

        /// Without HTTP's optional whitespace (spaces and tabs) around it.
        static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
            let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
                return bytes[bytes.startIndex..<bytes.startIndex]
            }
            return bytes[first...last]
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
    static func isTokenCharacter(_ byte: UInt8) -> Bool { tokenCharacters[Int(byte)] }

    /// `tchar` by byte value: letters, digits and ``!#$%&'*+-.^_`|~``.
    private static let tokenCharacters: [Bool] = (0...255).map { value in
        let byte = UInt8(value)
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// Bytes quoted for an error message, with anything unprintable escaped.
    static func printable(_ bytes: some Sequence<UInt8>) -> String {
        var text = "\""
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7f && byte != UInt8(ascii: "\"") { text.unicodeScalars.append(Unicode.Scalar(byte)) } else { text += "\\x" + String(byte, radix: 16) }
        }
        return text + "\""
    }
}
