import Foundation
import Testing
import RotorTesting
@testable import RotorWebhooks

/// The webhook sender (AsyncHTTPClient) against a receiver that misbehaves on purpose
/// (`scripts/http-quirks-receiver`): real sockets on 127.0.0.1, plain and TLS.
@Suite("Webhook sender: keep-alive, odd answers, timeouts, TLS")
struct WebhookSenderTests {
    /// A sender that reads no proxy settings (the tests' own environment may have some).
    static func sender(connectTimeout: Double = 5, connectionsPerHost: Int = 8, trustRoots: String? = nil,
                       environment: [String: String] = [:]) -> WebhookSender {
        WebhookSender(connectTimeout: connectTimeout, connectionsPerHost: connectionsPerHost, trustRoots: trustRoots, environment: environment)
    }

    /// A running quirks receiver and what it logged.
    final class Quirks {
        let directory: TemporaryDirectory
        let process: RunningProcess
        let port: Int

        init(tls: (cert: String, key: String)? = nil, silent: Bool = false) throws {
            directory = try TemporaryDirectory(prefix: "quirks")
            var arguments = ["--log", directory.path("log.jsonl")]
            if let tls { arguments += ["--tls", tls.cert, tls.key] }
            if silent { arguments.append("--silent") }
            (process, port) = try startScript("http-quirks-receiver", arguments, in: directory)
        }

        deinit { process.send(SIGKILL) }

        struct Entry: Decodable {
            let connection: Int
            let path: String
            let authorization: String?
            let host: String?
            let content_type: String?
            let user_agent: String?
            let body_length: Int
        }

        func log() throws -> [Entry] {
            let text = (try? String(contentsOfFile: directory.path("log.jsonl"), encoding: .utf8)) ?? ""
            return try text.split(separator: "\n").map { try JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
        }
    }

    static let body = Array(#"{"type":"secret.rotated"}"#.utf8)

    @Test func aKeptAliveConnectionCarriesEveryRequestAndOddAnswersAreRead() async throws {
        let quirks = try Quirks()
        let http = Self.sender()
        let base = "http://127.0.0.1:\(quirks.port)"
        for _ in 0..<20 {
            #expect(try await http.post(url: base + "/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        }
        // A chunked body, a redirect (not followed), a Retry-After: read, and the connection still serves.
        #expect(try await http.post(url: base + "/chunked", headers: [], body: Self.body, timeout: 10) == .response(status: 200, retryAfter: nil))
        #expect(try await http.post(url: base + "/redirect", headers: [], body: Self.body, timeout: 10) == .response(status: 302, retryAfter: nil))
        #expect(try await http.post(url: base + "/retry", headers: [], body: Self.body, timeout: 10) == .response(status: 503, retryAfter: "7"))
        #expect(try await http.post(url: base + "/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        let log = try quirks.log()
        #expect(log.count == 24)
        // (AsyncHTTPClient reports an answer just before it gives the connection back to its pool,
        // so a request started at once may, on a busy machine, open another one.)
        #expect(Set(log.map(\.connection)).count <= 4, "kept-alive connections carry the requests: \(log.map(\.connection))")
        #expect(log.filter { $0.path == "/ok" }.count == 21, "the redirect was not followed")
        #expect(log.allSatisfy { $0.body_length == Self.body.count && $0.host == "127.0.0.1:\(quirks.port)" })
        try await http.shutdown()
    }

    @Test func interimTrickledClosingAndNonHTTPAnswersAreReadAsWhatTheyAre() async throws {
        let quirks = try Quirks()
        let http = Self.sender()
        let base = "http://127.0.0.1:\(quirks.port)"
        // 100 Continue then the answer, and an answer trickled a few bytes at a time: the connection carries on.
        #expect(try await http.post(url: base + "/continue", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        #expect(try await http.post(url: base + "/trickle", headers: [], body: Self.body, timeout: 10) == .response(status: 200, retryAfter: nil))
        // `Connection: close`, and an HTTP/1.0 body ended by the close: each ends its connection.
        #expect(try await http.post(url: base + "/close", headers: [], body: Self.body, timeout: 10) == .response(status: 200, retryAfter: nil))
        #expect(try await http.post(url: base + "/http10", headers: [], body: Self.body, timeout: 10) == .response(status: 200, retryAfter: nil))
        #expect(try await http.post(url: base + "/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        // Not HTTP: a failed attempt saying so (in the words of NIO's parser), not sent again.
        let garbage = try await http.post(url: base + "/garbage", headers: [], body: Self.body, timeout: 10)
        if case .transportError(let message) = garbage {
            #expect(message.hasPrefix("the receiver's answer is not valid HTTP/1.1: "), "\(message)")
        } else {
            Issue.record("expected a transport error, got \(garbage)")
        }
        #expect(try await http.post(url: base + "/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        // A broken body after the status: the status counts, the connection is not reused.
        #expect(try await http.post(url: base + "/bad-chunk", headers: [], body: Self.body, timeout: 10) == .response(status: 200, retryAfter: nil))
        #expect(try await http.post(url: base + "/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        // A header value that would smuggle a field is refused before anything is sent.
        #expect(try await http.post(url: base + "/ok", headers: [("x-a", "1\r\nx-b: 2")], body: Self.body, timeout: 10)
            == .transportError("a header field name or value has a character HTTP forbids"))
        try await http.shutdown()
        let log = try quirks.log()
        #expect(log.map(\.path) == ["/continue", "/trickle", "/close", "/http10", "/ok", "/garbage", "/ok", "/bad-chunk", "/ok"])
        // Each answer that ends its connection (Connection: close, HTTP/1.0, not HTTP, a broken body) is the last on it.
        for (index, entry) in log.enumerated().dropLast() where ["/close", "/http10", "/garbage", "/bad-chunk"].contains(entry.path) {
            #expect(log[index + 1].connection != entry.connection, "\(entry.path): \(log.map(\.connection))")
        }
        #expect(Set(log.map(\.connection)).count < log.count, "the others are kept alive: \(log.map(\.connection))")
    }

    @Test func aReceiverThatClosesQuietlyOrAnswersTooMuchCostsNoDelivery() async throws {
        let quirks = try Quirks()
        let http = Self.sender()
        let base = "http://127.0.0.1:\(quirks.port)"
        // The receiver closes after each answer without `Connection: close`: every request still gets through, once.
        for _ in 0..<10 {
            let outcome = try await http.post(url: base + "/quiet-close", headers: [], body: Self.body, timeout: 10)
            #expect(outcome == .response(status: 200, retryAfter: nil), "\(outcome)")
        }
        // A 1 MiB answer: the status counts, the body is not kept, the next request works.
        #expect(try await http.post(url: base + "/big", headers: [], body: Self.body, timeout: 10) == .response(status: 200, retryAfter: nil))
        #expect(try await http.post(url: base + "/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        // Hanging up without any answer is a failed attempt, named as such. That looks like a
        // receiver closing a kept-alive connection while idle, so the request goes once more.
        let dropped = AttemptOutcome.transportError("the receiver closed the connection without answering")
        #expect(try await http.post(url: base + "/drop", headers: [], body: Self.body, timeout: 10) == dropped)
        try await http.shutdown()
        let fresh = Self.sender()
        #expect(try await fresh.post(url: base + "/drop", headers: [], body: Self.body, timeout: 10) == dropped)
        try await fresh.shutdown()
        let log = try quirks.log()
        #expect(log.filter { $0.path == "/quiet-close" }.count == 10, "never sent twice: \(log.map(\.path))")
        #expect(log.filter { $0.path == "/drop" }.count == 4, "each sent once more on a new connection")
        // The 1 MiB answer was not read to its end: its connection was closed, the next request opened another.
        let big = try #require(log.firstIndex { $0.path == "/big" })
        #expect(log[big + 1].path == "/ok" && log[big + 1].connection != log[big].connection)
    }

    @Test func aSendQueueKeepsItsConcurrencyStopsAtItsDeadlineAndSkipsAGoneEndpoint() async throws {
        let quirks = try Quirks()
        let http = Self.sender()
        let base = "http://127.0.0.1:\(quirks.port)"
        func collect(_ queue: WebhookSendQueue) async -> [Int: WebhookSendResult] {
            var results: [Int: WebhookSendResult] = [:]
            for await batch in queue.results {
                for result in batch {
                    switch result {
                    case .finished(let tag, _, _, _), .notStarted(let tag): results[tag] = result
                    }
                }
            }
            return results
        }
        func status(_ result: WebhookSendResult?) -> Int? {
            if case .finished(_, let outcome, _, false) = result { return outcome.statusCode }
            return nil
        }

        // 40 requests, four at a time, submitted in two goes: every one answered, over at most four connections.
        let queue = http.sendQueue(concurrency: 4, requestTimeout: 10, deadline: nil)
        queue.submit((0..<20).map { WebhookRequest(tag: $0, url: base + ($0 % 2 == 0 ? "/ok" : "/chunked"), headers: [], body: Self.body) })
        queue.submit((20..<40).map { WebhookRequest(tag: $0, url: base + "/ok", headers: [], body: Self.body) })
        queue.finish()
        let answered = await collect(queue)
        #expect(answered.count == 40)
        #expect((0..<40).allSatisfy { status(answered[$0]) == ($0 < 20 && $0 % 2 == 1 ? 200 : 204) })
        #expect(Set(try quirks.log().map(\.connection)).count <= 4)

        // A deadline already past: nothing starts, nothing is sent.
        let sent = try quirks.log().count
        let late = http.sendQueue(concurrency: 4, requestTimeout: 10, deadline: .now - .seconds(1))
        late.submit((0..<5).map { WebhookRequest(tag: $0, url: base + "/ok", headers: [], body: Self.body) })
        late.finish()
        let unstarted = await collect(late)
        #expect(unstarted.count == 5 && unstarted.values.allSatisfy { if case .notStarted = $0 { true } else { false } })
        #expect(try quirks.log().count == sent)

        // 410 Gone: the other requests waiting for that endpoint never start; others still go.
        let gone = http.sendQueue(concurrency: 1, requestTimeout: 10, deadline: nil)
        gone.submit([WebhookRequest(tag: 0, url: base + "/gone", headers: [], body: Self.body),
                     WebhookRequest(tag: 1, url: base + "/gone", headers: [], body: Self.body),
                     WebhookRequest(tag: 2, url: base + "/ok", headers: [], body: Self.body),
                     WebhookRequest(tag: 3, url: "ftp://nowhere/x", headers: [], body: Self.body)])
        gone.finish()
        let afterGone = await collect(gone)
        #expect(status(afterGone[0]) == 410)
        if case .notStarted = afterGone[1] {} else { Issue.record("expected the second request to the gone endpoint not to start: \(String(describing: afterGone[1]))") }
        #expect(status(afterGone[2]) == 204)
        if case .finished(_, .transportError(let message), _, _) = afterGone[3] { #expect(message == "not an http:// or https:// URL") } else { Issue.record("\(String(describing: afterGone[3]))") }
        #expect(try quirks.log().filter { $0.path == "/gone" }.count == 1)

        // What is submitted after the 410 came (the caller had not seen it yet) does not go there either.
        let later = http.sendQueue(concurrency: 1, requestTimeout: 10, deadline: nil)
        later.submit([WebhookRequest(tag: 0, url: base + "/gone", headers: [], body: Self.body)])
        var batches = later.results.makeAsyncIterator()
        let first = await batches.next()
        #expect(first?.count == 1 && status(first?.first) == 410)
        later.submit([WebhookRequest(tag: 1, url: base + "/gone", headers: [], body: Self.body),
                      WebhookRequest(tag: 2, url: base + "/ok", headers: [], body: Self.body)])
        later.finish()
        var rest: [WebhookSendResult] = []
        while let batch = await batches.next() { rest += batch }
        #expect(rest.count == 2)
        if case .notStarted(1) = rest.first {} else { Issue.record("expected the late request to the gone endpoint not to start: \(rest)") }
        #expect(status(rest.last) == 204)
        #expect(try quirks.log().filter { $0.path == "/gone" }.count == 2)
        try await http.shutdown()
    }

    @Test func aSendQueueHandsResultsOverInBatches() async throws {
        let quirks = try Quirks()
        let http = Self.sender()
        let queue = http.sendQueue(concurrency: 4, requestTimeout: 30, deadline: nil)
        queue.submit((0..<100).map { WebhookRequest(tag: $0, url: "http://127.0.0.1:\(quirks.port)/ok", headers: [], body: Self.body) })
        queue.finish()
        var batches: [[WebhookSendResult]] = []
        for await batch in queue.results { batches.append(batch) }
        // Every request once; the caller woke once per batch: at most 32 at a time while many are
        // left, then one by one once no more than twice the concurrency are left to finish.
        let tags = batches.joined().map { result -> Int in
            switch result { case .finished(let tag, _, _, _), .notStarted(let tag): tag }
        }
        #expect(tags.sorted() == Array(0..<100))
        #expect(batches.allSatisfy { $0.count <= WebhookSendQueue.resultBatch })
        #expect(batches.count <= 100 / WebhookSendQueue.resultBatch + 2 * 4 + 1)
        #expect(batches.first?.count == WebhookSendQueue.resultBatch)
        try await http.shutdown()
    }

    @Test func aCancelledSendQueueCutsOffWhatRunsAndStartsNothingMore() async throws {
        let quirks = try Quirks()
        let http = Self.sender()
        let base = "http://127.0.0.1:\(quirks.port)"
        // (A timeout far beyond the test: in a busy test run this task may wait a long while for
        // a thread, and the hanging requests must still be running when it cancels.)
        let queue = http.sendQueue(concurrency: 2, requestTimeout: 3_600, deadline: nil)
        queue.submit((0..<3).map { WebhookRequest(tag: $0, url: base + "/hang", headers: [], body: Self.body) })
        // Once both slots hang, cancel: the two running are cut off, the third never starts, and
        // submissions after that start nothing either.
        while try quirks.log().count < 2 { try await Task.sleep(nanoseconds: 10_000_000) }
        queue.cancel()
        queue.submit([WebhookRequest(tag: 3, url: base + "/ok", headers: [], body: Self.body)])
        var ended: [Int] = []
        for await batch in queue.results {
            for result in batch {
                if case .notStarted(let tag) = result { ended.append(tag) } else { Issue.record("\(result)") }
            }
        }
        #expect(ended.sorted() == [0, 1, 2])
        #expect(try quirks.log().map(\.path) == ["/hang", "/hang"])
        try await http.shutdown()
    }

    @Test func credentialsInTheURLAreNeverSentAndBadURLsAreNamed() async throws {
        let quirks = try Quirks()
        let http = Self.sender()
        // (Specs refuse such URLs; a job queued before that rule fails without a request, and the message does not quote the password.)
        let refused = try await http.post(url: "http://hook:s3cret@127.0.0.1:\(quirks.port)/ok", headers: [], body: Self.body, timeout: 10)
        #expect(refused == .transportError("the URL carries credentials (user:password@), which rotor does not send: receivers check the webhook signature"))
        #expect(try quirks.log().isEmpty)
        #expect(try await http.post(url: "http://127.0.0.1:\(quirks.port)/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        #expect(try quirks.log().first?.authorization == nil)
        #expect(try await http.post(url: "ftp://127.0.0.1/x", headers: [], body: Self.body, timeout: 10) == .transportError("not an http:// or https:// URL"))
        #expect(try await http.post(url: "http:///nohost", headers: [], body: Self.body, timeout: 10) == .transportError("the URL has no host"))
        try await http.shutdown()
    }

    @Test func httpsIsVerifiedAgainstTheTrustRootsAndCarriesTheRequest() async throws {
        // Given a receiver with a certificate for "localhost" from a throwaway CA,
        let pki = try TemporaryDirectory(prefix: "pki")
        let (ca, cert, key) = (pki.path("ca.pem"), pki.path("cert.pem"), pki.path("key.pem"))
        try Self.makeCertificate(in: pki, ca: ca, cert: cert, key: key)
        let quirks = try Quirks(tls: (cert, key))
        let url = "https://localhost:\(quirks.port)/ok"

        // When the client trusts that CA, the request goes over TLS and is answered;
        let trusting = Self.sender(connectionsPerHost: 2, trustRoots: ca)
        #expect(try await trusting.post(url: url, headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        #expect(try await trusting.post(url: url, headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        try await trusting.shutdown()
        #expect(try quirks.log().count == 2)

        // and a client with the system's roots refuses the unknown CA before sending anything.
        let system = Self.sender()
        let refused = try await system.post(url: url, headers: [], body: Self.body, timeout: 10)
        try await system.shutdown()
        guard case .transportError(let message) = refused else {
            Issue.record("expected a TLS failure, got \(refused)")
            return
        }
        #expect(message.hasPrefix("TLS: "), "\(message)")
        #expect(message.localizedCaseInsensitiveContains("certificate"), "\(message)")
        #expect(try quirks.log().count == 2)
    }

    @Test func aHangingTricklingOrSilentReceiverIsCutAtTheRequestTimeout() async throws {
        /// Each request's outcome and how long it took, as the queue measured it on the event loop
        /// (the test's own task may wait for a thread for many seconds in a busy test run).
        func send(_ http: WebhookSender, _ urls: [String]) async -> [Int: (AttemptOutcome, Double)] {
            let queue = http.sendQueue(concurrency: urls.count, requestTimeout: 1, deadline: nil)
            queue.submit(urls.enumerated().map { WebhookRequest(tag: $0.offset, url: $0.element, headers: [], body: Self.body) })
            queue.finish()
            var results: [Int: (AttemptOutcome, Double)] = [:]
            for await batch in queue.results {
                for case .finished(let tag, let outcome, let seconds, _) in batch { results[tag] = (outcome, seconds) }
            }
            return results
        }
        let quirks = try Quirks()
        let http = Self.sender()
        let base = "http://127.0.0.1:\(quirks.port)"
        // No answer, and an answer whose body never ends (a byte every 100 ms): each is cut at the
        // request timeout, which covers the body too.
        let cut = await send(http, [base + "/hang", base + "/drip"])
        for tag in 0..<2 {
            #expect(cut[tag]?.0 == .timedOut(seconds: 1), "\(String(describing: cut[tag]))")
            #expect((cut[tag]?.1 ?? 0) >= 0.95 && (cut[tag]?.1 ?? 99) < 10, "\(String(describing: cut[tag]))")
        }
        #expect(try await http.post(url: base + "/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        try await http.shutdown()
        #expect(AttemptOutcome.timedOut(seconds: 1).describe(url: base + "/hang") == "POST \(base)/hang got no answer within 1s (request timeout)")

        // The timeout covers making the connection too: a TLS handshake that never completes is cut
        // there, not at the 30 s connect timeout.
        let silent = try Quirks(silent: true)
        let https = Self.sender(connectTimeout: 30)
        let handshake = await send(https, ["https://127.0.0.1:\(silent.port)/ok"])
        #expect(handshake[0]?.0 == .timedOut(seconds: 1), "\(String(describing: handshake[0]))")
        #expect((handshake[0]?.1 ?? 99) < 10, "\(String(describing: handshake[0]))")
        try await https.shutdown()
    }

    @Test func aQueuedRequestIsCutAtThePassDeadlineAndSaysSo() async throws {
        let quirks = try Quirks()
        let http = Self.sender()
        // A request timeout of an hour, a pass deadline in half a second: the hanging request ends at the deadline, marked as cut.
        let queue = http.sendQueue(concurrency: 2, requestTimeout: 3_600, deadline: .now + .milliseconds(500))
        queue.submit([WebhookRequest(tag: 0, url: "http://127.0.0.1:\(quirks.port)/hang", headers: [], body: Self.body)])
        queue.finish()
        var results: [WebhookSendResult] = []
        for await batch in queue.results { results += batch }
        guard case .finished(0, .timedOut(let seconds), let took, true)? = results.first, results.count == 1 else {
            Issue.record("expected one request cut by the deadline: \(results)")
            return
        }
        #expect(seconds <= 0.5 && took < 3)
        try await http.shutdown()
    }

    /// A running test proxy (`scripts/http-proxy`) and what it logged.
    final class TestProxy {
        let directory: TemporaryDirectory
        let process: RunningProcess
        let port: Int

        init(requireAuth: String? = nil) throws {
            directory = try TemporaryDirectory(prefix: "proxy")
            var arguments = ["--log", directory.path("log.jsonl")]
            if let requireAuth { arguments += ["--require-auth", requireAuth] }
            (process, port) = try startScript("http-proxy", arguments, in: directory)
        }

        deinit { process.send(SIGKILL) }

        struct Entry: Decodable {
            let method: String
            let target: String
            let proxy_authorization: String?
        }

        func log() throws -> [Entry] {
            let text = (try? String(contentsOfFile: directory.path("log.jsonl"), encoding: .utf8)) ?? ""
            return try text.split(separator: "\n").map { try JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
        }
    }

    @Test func deliveriesGoThroughTheProxyTheEnvironmentNamesExceptForNoProxyHosts() async throws {
        let quirks = try Quirks()
        let proxy = try TestProxy()
        // Given HTTP_PROXY, with NO_PROXY naming localhost (not 127.0.0.1) and another domain,
        let http = Self.sender(environment: ["HTTP_PROXY": "http://127.0.0.1:\(proxy.port)", "NO_PROXY": "example.com, localhost"])
        // requests to 127.0.0.1 go through the proxy, in a tunnel kept alive,
        for _ in 0..<3 {
            #expect(try await http.post(url: "http://127.0.0.1:\(quirks.port)/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        }
        let tunnels = try proxy.log()
        #expect(!tunnels.isEmpty && tunnels.count < 3 && tunnels.allSatisfy { $0.method == "CONNECT" && $0.target == "127.0.0.1:\(quirks.port)" },
                "\(tunnels.map(\.target))")
        #expect(try quirks.log().count == 3)
        // and those to localhost go directly.
        #expect(try await http.post(url: "http://localhost:\(quirks.port)/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        #expect(try proxy.log().count == tunnels.count)
        #expect(try quirks.log().count == 4)
        try await http.shutdown()

        // The lower-case names work too; HTTP_PROXY is not used for https:// URLs, nor is anything with NO_PROXY=*.
        let lower = Self.sender(environment: ["http_proxy": "127.0.0.1:\(proxy.port)"])
        #expect(try await lower.post(url: "http://127.0.0.1:\(quirks.port)/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        try await lower.shutdown()
        #expect(try proxy.log().count == tunnels.count + 1)
        let all = Self.sender(environment: ["HTTP_PROXY": "http://127.0.0.1:\(proxy.port)", "NO_PROXY": "*"])
        #expect(try await all.post(url: "http://127.0.0.1:\(quirks.port)/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        try await all.shutdown()
        #expect(try proxy.log().count == tunnels.count + 1)
        #expect(try quirks.log().count == 6)
    }

    @Test func httpsGoesThroughTheProxyInATunnelVerifiedEndToEnd() async throws {
        let pki = try TemporaryDirectory(prefix: "pki")
        let (ca, cert, key) = (pki.path("ca.pem"), pki.path("cert.pem"), pki.path("key.pem"))
        try Self.makeCertificate(in: pki, ca: ca, cert: cert, key: key)
        let quirks = try Quirks(tls: (cert, key))
        let proxy = try TestProxy()
        let environment = ["HTTPS_PROXY": "http://127.0.0.1:\(proxy.port)", "HTTP_PROXY": "http://127.0.0.1:1"]
        // The receiver's certificate is checked through the tunnel: trusted with the test CA,
        let trusting = Self.sender(trustRoots: ca, environment: environment)
        #expect(try await trusting.post(url: "https://localhost:\(quirks.port)/ok", headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        try await trusting.shutdown()
        #expect(try proxy.log().map(\.target) == ["localhost:\(quirks.port)"])
        // refused with the system's roots (the proxy cannot stand in for the receiver).
        let system = Self.sender(environment: environment)
        let refused = try await system.post(url: "https://localhost:\(quirks.port)/ok", headers: [], body: Self.body, timeout: 10)
        try await system.shutdown()
        guard case .transportError(let message) = refused else {
            Issue.record("expected a TLS failure, got \(refused)")
            return
        }
        #expect(message.hasPrefix("TLS: "), "\(message)")
        #expect(try quirks.log().count == 1)
    }

    @Test func proxyCredentialsAreSentToTheProxyAndNeverQuoted() async throws {
        let quirks = try Quirks()
        let proxy = try TestProxy(requireAuth: "rotor:s3cret p@ss")
        let url = "http://127.0.0.1:\(quirks.port)/ok"
        // The user and password of the proxy URL (percent-encoded there) go in Proxy-Authorization,
        let good = Self.sender(environment: ["HTTP_PROXY": "http://rotor:s3cret%20p%40ss@127.0.0.1:\(proxy.port)"])
        #expect(try await good.post(url: url, headers: [], body: Self.body, timeout: 10) == .response(status: 204, retryAfter: nil))
        try await good.shutdown()
        #expect(try proxy.log().first?.proxy_authorization == "Basic " + Data("rotor:s3cret p@ss".utf8).base64EncodedString())
        #expect(try quirks.log().first?.authorization == nil, "the receiver never sees them")
        // a refusal says so without quoting them,
        let bad = Self.sender(environment: ["HTTP_PROXY": "http://rotor:wrong-s3cret@127.0.0.1:\(proxy.port)"])
        let refused = try await bad.post(url: url, headers: [], body: Self.body, timeout: 10)
        try await bad.shutdown()
        #expect(refused == .transportError("the proxy asks for credentials (407 Proxy Authentication Required)"))
        // and so does a proxy setting rotor cannot use.
        let socks = Self.sender(environment: ["HTTP_PROXY": "socks5://rotor:s3cret@127.0.0.1:1080"])
        let unusable = try await socks.post(url: url, headers: [], body: Self.body, timeout: 10)
        try await socks.shutdown()
        #expect(unusable == .transportError("the proxy in HTTP_PROXY is not an http:// proxy (rotor speaks to proxies over plain HTTP, with CONNECT)"))
        #expect(try quirks.log().count == 1)
    }

    @Test func rotorDeliverUsesHTTPProxyFromItsEnvironment() throws {
        // Given a consumer whose receiver verifies signatures, and a proxy,
        let receiver = try WebhookReceiver(routes: [.init("/hooks", service: "billing-api")])
        let scenario = try WebhookScenario(consumers: [("billing-api", receiver.url("/hooks"))])
        try scenario.applyWithoutDelivery()
        try receiver.setSecrets(["billing-api": [try scenario.signingSecret("billing-api")]])
        let proxy = try TestProxy()
        // when `rotor deliver` runs with HTTP_PROXY set,
        let deliver = try scenario.rotor(["deliver", "--at", WebhookScenario.t0],
                                         environment: ["HTTP_PROXY": "http://127.0.0.1:\(proxy.port)", "http_proxy": "",
                                                       "NO_PROXY": "", "no_proxy": ""])
        // then both deliveries went through the proxy, signed as ever.
        #expect(deliver.status == 0, "\(deliver.stdout)\(deliver.stderr)")
        #expect(try receiver.requests().count == 2 && receiver.requests().allSatisfy { $0.verifiedWith == [0] })
        #expect(try proxy.log().map(\.method).allSatisfy { $0 == "CONNECT" } && !proxy.log().isEmpty)
        #expect(try proxy.log().allSatisfy { $0.target == "127.0.0.1:\(receiver.port)" })
    }

    @Test func noProxyMatchesHostsDomainsAndPorts() {
        let settings = ProxySettings(environment: ["HTTPS_PROXY": "http://proxy.internal:3128", "no_proxy": "example.com,.corp.internal,10.0.0.7:8443,[::1]"])
        #expect(settings.bypasses(host: "example.com", port: 443))
        #expect(settings.bypasses(host: "hooks.Example.com", port: 443))
        #expect(!settings.bypasses(host: "notexample.com", port: 443))
        #expect(settings.bypasses(host: "a.corp.internal", port: 443))
        #expect(settings.bypasses(host: "10.0.0.7", port: 8443) && !settings.bypasses(host: "10.0.0.7", port: 443))
        #expect(settings.bypasses(host: "::1", port: 443))
        #expect(!settings.bypasses(host: "hooks.partner.io", port: 443))
        #expect((try? settings.proxy(forTLS: true, host: "hooks.partner.io", port: 443).get())??.host == "proxy.internal")
        #expect((try? settings.proxy(forTLS: true, host: "hooks.partner.io", port: 443).get())??.port == 3128)
        #expect((try? settings.proxy(forTLS: false, host: "hooks.partner.io", port: 80).get()) == .some(nil), "no HTTP_PROXY: http:// goes directly")
    }

    /// A CA and a server certificate for localhost signed by it, with the `openssl` command.
    static func makeCertificate(in directory: TemporaryDirectory, ca: String, cert: String, key: String) throws {
        let caKey = directory.path("ca-key.pem"), csr = directory.path("server.csr"), ext = directory.path("ext.cnf")
        try "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n".write(toFile: ext, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=rotor test CA",
             "-days", "2", "-keyout", caKey, "-out", ca],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost", "-keyout", key, "-out", csr],
            ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert],
        ]
        for step in steps {
            let result = try Shell.run("/usr/bin/openssl", step)
            guard result.status == 0 else { throw FixtureError("openssl \(step[0]) failed: \(result.stderr)") }
        }
    }
}

/// Starts `scripts/<name>` (a test server of the repository's) with `arguments` in `directory`,
/// and waits for the port it prints ("listening on PORT").
private func startScript(_ name: String, _ arguments: [String], in directory: TemporaryDirectory) throws -> (RunningProcess, Int) {
    let script = URL(fileURLWithPath: WebhookReceiver.scriptPath).deletingLastPathComponent().appendingPathComponent(name).path
    let process = try RunningProcess("/usr/bin/env", ["python3", script] + arguments, directory: directory.path)
    let deadline = Date().addingTimeInterval(20)
    var found: Int?
    while found == nil, Date() < deadline {
        found = process.stdout.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        if found == nil { usleep(20_000) }
    }
    guard let found else { throw FixtureError("\(name) did not start: \(process.stderr)") }
    return (process, found)
}
