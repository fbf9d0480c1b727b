import AsyncHTTPClient
import NIOCore
import Synchronization

/// Sends requests `concurrency` at a time through a ``WebhookSender``: a request starts the
/// moment another ends, in the callback of the one that ended (on the client's event loop), with
/// no task hop in between, while the caller prepares and records on its own thread. Results
/// arrive in ``results`` in the order requests end, in batches: the caller's task wakes once per
/// batch, not once per request (on a small machine those wake-ups competed with the event loop
/// and the receivers for the cores). A batch is handed over when it is full, when few requests
/// are left to send (the caller should submit more), when an endpoint answers 410 Gone, and when
/// the queue ends.
///
/// The caller may submit more work at any time, and calls ``finish()`` when it has no more (the
/// stream then ends once everything submitted has a result).
public final class WebhookSendQueue: Sendable {
    /// Every request's result, in batches, in the order they end.
    public let results: AsyncStream<[WebhookSendResult]>
    private let continuation: AsyncStream<[WebhookSendResult]>.Continuation
    private let sender: WebhookSender
    private let concurrency: Int
    private let requestTimeout: Double
    private let deadline: ContinuousClock.Instant?
    private let state = Mutex(State())
    /// The most results handed over together.
    static let resultBatch = 32

    struct Waiting: Sendable {
        let tag: Int
        let url: String
        let exchange: WebhookSender.Exchange
    }

    /// A request to start now, outside the lock.
    struct Start: Sendable {
        let item: Waiting
        let timeout: Double
        let cut: Bool
    }

    struct State {
        var waiting: [Waiting] = []
        var next = 0
        /// The running requests, with their handle once started.
        var running: [Int: WebhookSender.Running?] = [:]
        var finishing = false
        var cancelled = false
        var done = false
        /// Results not handed over yet.
        var ready: [WebhookSendResult] = []
        /// Endpoints that answered 410 Gone: nothing more is sent there.
        var gone: Set<String> = []
    }

    init(sender: WebhookSender, concurrency: Int, requestTimeout: Double, deadline: ContinuousClock.Instant?) {
        (results, continuation) = AsyncStream.makeStream(of: [WebhookSendResult].self)
        self.sender = sender
        self.concurrency = max(1, concurrency)
        self.requestTimeout = max(requestTimeout, 0.001)
        self.deadline = deadline
    }

    /// Queues requests behind those already waiting. A URL or header field that cannot be sent
    /// ends at once as a transport error.
    public func submit(_ requests: [WebhookRequest]) {
        var made: [Waiting] = []
        made.reserveCapacity(requests.count)
        var failed: [WebhookSendResult] = []
        for request in requests {
            let prepared: Result<WebhookSender.Exchange, WebhookTargetError>
            switch request.content {
            case .prepared(let headers, let body): prepared = sender.prepare(url: request.url, headers: headers, body: body)
            case .fields(let headers, let body): prepared = sender.prepare(url: request.url, headers: headers, body: ByteBuffer(bytes: body))
            }
            switch prepared {
            case .success(let exchange): made.append(Waiting(tag: request.tag, url: request.url, exchange: exchange))
            case .failure(let error): failed.append(.finished(tag: request.tag, outcome: .transportError("\(error)"), seconds: 0, cutByDeadline: false))
            }
        }
        if !failed.isEmpty { continuation.yield(failed) }
        let starts = state.withLock { state -> [Start] in
            guard !state.cancelled else {
                for item in made { state.ready.append(.notStarted(tag: item.tag)) }
                handOver(&state)
                return []
            }
            state.waiting.append(contentsOf: made)
            return pump(&state)
        }
        start(starts)
    }

    /// No more submissions: `results` ends once every request has one.
    public func finish() {
        state.withLock { state in
            state.finishing = true
            endIfDone(&state)
        }
    }

    /// Abandons everything: running requests are cut off, waiting ones end as not started.
    public func cancel() {
        let tasks = state.withLock { state -> [WebhookSender.Running] in
            state.cancelled = true
            for item in state.waiting[state.next...] { state.ready.append(.notStarted(tag: item.tag)) }
            state.waiting = []
            state.next = 0
            var tasks: [WebhookSender.Running] = []
            for (tag, task) in state.running {
                state.ready.append(.notStarted(tag: tag))
                if let task { tasks.append(task) }
            }
            state.running = [:]
            state.finishing = true
            endIfDone(&state)
            return tasks
        }
        for task in tasks { task.cancel() }
    }

    /// Starts requests taken from the queue (outside the lock: a request can end at once, and
    /// its callback takes the lock).
    private func start(_ starts: [Start]) {
        for start in starts {
            let tag = start.item.tag, url = start.item.url, cut = start.cut
            let started = ContinuousClock.now
            let task = start.item.exchange.start(timeout: start.timeout) { [self] result in
                finished(tag: tag, url: url, result: result, seconds: WebhookWorker.seconds(.now - started), cut: cut)
            }
            let cancelNow = state.withLock { state -> Bool in
                // Still running (it may have ended already): keep its handle, to cancel it.
                guard state.running[tag] != nil else { return false }
                state.running[tag] = task
                return state.cancelled
            }
            if cancelNow { task.cancel() }
        }
    }

    private func finished(tag: Int, url: String, result: Result<AttemptOutcome, any Error>, seconds: Double, cut: Bool) {
        let starts = state.withLock { state -> [Start] in
            guard state.running.removeValue(forKey: tag) != nil else { return [] }
            switch result {
            case .success(let outcome):
                state.ready.append(.finished(tag: tag, outcome: outcome, seconds: seconds, cutByDeadline: cut))
                // Gone: nothing more is sent there (the worker disables the endpoint), and it
                // learns of it at once.
                if outcome.statusCode == 410 {
                    drop(url: url, &state)
                    handOver(&state)
                }
            case .failure:
                state.ready.append(.notStarted(tag: tag))
            }
            return pump(&state)
        }
        start(starts)
    }

    /// Drops the waiting requests to `url` (it answered 410 Gone), and any submitted later: each
    /// ends as not started.
    private func drop(url: String, _ state: inout State) {
        state.gone.insert(url)
        var kept: [Waiting] = []
        for item in state.waiting[state.next...] {
            if item.url == url { state.ready.append(.notStarted(tag: item.tag)) } else { kept.append(item) }
        }
        state.waiting = kept
        state.next = 0
    }

    /// Takes waiting requests while there is room; hands results over when it is time.
    private func pump(_ state: inout State) -> [Start] {
        var starts: [Start] = []
        while !state.cancelled, state.running.count < concurrency, state.next < state.waiting.count {
            let item = state.waiting[state.next]
            state.next += 1
            if state.gone.contains(item.url) {
                state.ready.append(.notStarted(tag: item.tag))
                continue
            }
            var timeout = requestTimeout, cut = false
            if let deadline {
                let remaining = WebhookWorker.seconds(deadline - .now)
                if remaining <= 0 {
                    state.ready.append(.notStarted(tag: item.tag))
                    continue
                }
                if remaining < timeout { timeout = max(0.05, remaining); cut = true }
            }
            state.running[item.tag] = .some(nil)
            starts.append(Start(item: item, timeout: timeout, cut: cut))
        }
        if state.next == state.waiting.count {
            state.waiting = []
            state.next = 0
        }
        // Few left to send: the caller should know now, to submit more (or to finish).
        if state.ready.count >= Self.resultBatch || state.running.count + state.waiting.count - state.next <= 2 * concurrency { handOver(&state) }
        endIfDone(&state)
        return starts
    }

    /// Hands the results so far to the caller.
    private func handOver(_ state: inout State) {
        guard !state.ready.isEmpty else { return }
        continuation.yield(state.ready)
        state.ready = []
    }

    private func endIfDone(_ state: inout State) {
        guard state.finishing, !state.done, state.running.isEmpty, state.next >= state.waiting.count else { return }
        state.done = true
        handOver(&state)
        continuation.finish()
    }
}
