import NIOCore

/// Sends requests `concurrency` at a time on the client's event loop: a request starts the
/// moment another ends, with no task or thread hop in between, while the caller prepares and
/// records on its own thread. Results arrive in ``results`` in the order requests end, in
/// batches: the caller's task wakes once per batch, not once per request (on a small machine
/// those wake-ups competed with the event loop and the receivers for the cores). A batch is
/// handed over when it is full, when few requests are left to send (the caller should submit
/// more), when an endpoint answers 410 Gone, and when the queue ends.
///
/// Everything but `results` is driven through the event loop; the caller may submit more
/// work at any time, and calls ``finish()`` when it has no more (the stream then ends once
/// everything submitted has a result).
public final class NIOWebhookSendQueue: WebhookSending, @unchecked Sendable {
    /// Every request's result, in batches, in the order they end.
    public let results: AsyncStream<[WebhookSendResult]>
    private let continuation: AsyncStream<[WebhookSendResult]>.Continuation
    private let client: WebhookHTTPClient
    private let pool: WebhookConnectionPool
    private let concurrency: Int
    private let requestTimeout: Double
    private let deadline: ContinuousClock.Instant?
    // Loop state.
    private var waiting: [(tag: Int, url: String, exchange: WebhookExchange)] = []
    private var next = 0
    private var running: [Int: WebhookExchange] = [:]
    private var finishing = false
    private var cancelled = false
    private var done = false
    /// Results not handed over yet.
    private var ready: [WebhookSendResult] = []
    /// Endpoints that answered 410 Gone: nothing more is sent there.
    private var gone: Set<String> = []
    /// The most results handed over together.
    static let resultBatch = 32

    init(client: WebhookHTTPClient, pool: WebhookConnectionPool, concurrency: Int, requestTimeout: Double, deadline: ContinuousClock.Instant?) {
        (results, continuation) = AsyncStream.makeStream(of: [WebhookSendResult].self)
        self.client = client
        self.pool = pool
        self.concurrency = max(1, concurrency)
        self.requestTimeout = requestTimeout
        self.deadline = deadline
    }

    /// Queues requests behind those already waiting. A URL that cannot be parsed ends at once
    /// as a transport error.
    public func submit(_ requests: [WebhookRequest]) {
        var made: [(tag: Int, url: String, exchange: WebhookExchange)] = []
        made.reserveCapacity(requests.count)
        var failed: [WebhookSendResult] = []
        for request in requests {
            switch request.content {
            case .serialized(let endpoint, let bytes):
                made.append((request.tag, request.url, WebhookExchange(endpoint: endpoint, request: bytes, timeout: max(requestTimeout, 0.001))))
            case .prepared(let headers, let body):
                switch client.exchange(url: request.url, headers: headers.map { ($0.name, $0.value) }, body: Array(buffer: body), timeout: requestTimeout) {
                case .success(let exchange): made.append((request.tag, request.url, exchange))
                case .failure(let error): failed.append(.finished(tag: request.tag, outcome: .transportError("\(error)"), seconds: 0, cutByDeadline: false))
                }
            case .fields(let headers, let body):
                switch client.exchange(url: request.url, headers: headers, body: body, timeout: requestTimeout) {
                case .success(let exchange): made.append((request.tag, request.url, exchange))
                case .failure(let error): failed.append(.finished(tag: request.tag, outcome: .transportError("\(error)"), seconds: 0, cutByDeadline: false))
                }
            }
        }
        if !failed.isEmpty { continuation.yield(failed) }
        pool.loop.execute { [self] in
            guard !cancelled else {
                for item in made { notStarted(item) }
                handOver()
                return
            }
            waiting.append(contentsOf: made)
            pump()
        }
    }

    /// Drops the waiting requests to `url` (it answered 410 Gone), and any submitted later: each
    /// ends as not started.
    private func drop(url: String) {
        gone.insert(url)
        var kept: [(tag: Int, url: String, exchange: WebhookExchange)] = []
        for item in waiting[next...] {
            if item.url == url { notStarted(item) } else { kept.append(item) }
        }
        waiting = kept
        next = 0
    }

    /// No more submissions: `results` ends once every request has one.
    public func finish() {
        pool.loop.execute { [self] in
            finishing = true
            endIfDone()
        }
    }

    /// Abandons everything: running requests are cut off, waiting ones end as not started.
    public func cancel() {
        pool.loop.execute { [self] in
            cancelled = true
            for item in waiting[next...] { notStarted(item) }
            waiting = []
            next = 0
            for exchange in running.values { exchange.abandon() }
            running = [:]
            finishing = true
            endIfDone()
        }
    }

    /// Starts waiting requests while there is room. On the loop.
    private func pump() {
        while !cancelled, running.count < concurrency, next < waiting.count {
            let item = waiting[next]
            let (tag, url, exchange) = item
            next += 1
            if gone.contains(url) {
                notStarted(item)
                continue
            }
            var cut = false
            if let deadline {
                let remaining = WebhookWorker.seconds(deadline - .now)
                if remaining <= 0 {
                    notStarted(item)
                    continue
                }
                if remaining < exchange.timeout { exchange.timeout = max(0.05, remaining); cut = true }
            }
            let started = ContinuousClock.now
            running[tag] = exchange
            exchange.whenFinished { [self, cut] result in
                guard running.removeValue(forKey: tag) != nil else { return }
                switch result {
                case .success(let outcome):
                    ready.append(.finished(tag: tag, outcome: outcome, seconds: WebhookWorker.seconds(.now - started), cutByDeadline: cut))
                    // Gone: nothing more is sent there (the worker disables the endpoint), and it
                    // learns of it at once.
                    if outcome.statusCode == 410 {
                        drop(url: url)
                        handOver()
                    }
                case .failure:
                    ready.append(.notStarted(tag: tag))
                }
                pump()
            }
            pool.start(exchange)
        }
        if next == waiting.count {
            waiting = []
            next = 0
        }
        // Few left to send: the caller should know now, to submit more (or to finish).
        if ready.count >= Self.resultBatch || running.count + waiting.count - next <= 2 * concurrency { handOver() }
        endIfDone()
    }

    private func notStarted(_ item: (tag: Int, url: String, exchange: WebhookExchange)) {
        item.exchange.abandon()
        ready.append(.notStarted(tag: item.tag))
    }

    /// Hands the results so far to the caller.
    private func handOver() {
        guard !ready.isEmpty else { return }
        continuation.yield(ready)
        ready = []
    }

    private func endIfDone() {
        guard finishing, !done, running.isEmpty, next >= waiting.count else { return }
        done = true
        handOver()
        continuation.finish()
    }
}
