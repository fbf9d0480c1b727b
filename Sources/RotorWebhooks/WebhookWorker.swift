import Foundation
import RotorCore
import RotorStore

/// Delivers due webhook jobs: claims them from the store, signs, POSTs, records every
/// attempt, and schedules retries. At-least-once: a job is only `completed` after a 2xx.
///
/// Requests run concurrently up to ``DeliveryOptions/concurrency``, each with its own
/// timeout, so one hanging receiver never delays the others. Scheduling reads the injected
/// ``DeliveryClock``; the `webhook-timestamp` header reads `wireClock` (real by default).
public final class WebhookWorker: Sendable {
    let store: StateStore
    let keys: any SigningKeyProvider
    let clock: any DeliveryClock
    let wireClock: any DeliveryClock
    let options: DeliveryOptions
    let owner: JobOwner
    let jitter: JitterSource
    /// Where the proxy settings are read (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`).
    let environment: [String: String]

    /// Creates a worker.
    ///
    /// - Parameters:
    ///   - store: Where the jobs are.
    ///   - keys: The signing keys of each consumer.
    ///   - clock: "Now" for scheduling, and waits between passes.
    ///   - wireClock: The time put in `webhook-timestamp`; receivers reject stale ones.
    ///   - options: Timeouts, concurrency, schedule.
    ///   - owner: Who claims jobs (this process by default).
    ///   - jitter: The draws that spread retries (seed it in tests).
    ///   - environment: Where the proxy settings are read (the process's environment by default).
    public init(store: StateStore, keys: any SigningKeyProvider, clock: any DeliveryClock,
                wireClock: any DeliveryClock = SystemDeliveryClock(), options: DeliveryOptions = DeliveryOptions(),
                owner: JobOwner = ProcessLiveness.current, jitter: JitterSource = JitterSource(),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.store = store
        self.keys = keys
        self.clock = clock
        self.wireClock = wireClock
        self.options = options
        self.owner = owner
        self.jitter = jitter
        self.environment = environment
    }

    /// One pass: every job due at the pass's start gets one attempt, then it returns.
    ///
    /// - Parameter only: When set, only these jobs (`rotor jobs retry`).
    /// - Throws: Store errors. Receivers' failures are recorded, not thrown.
    public func runOnce(only: Set<String>? = nil) async throws -> DeliveryReport {
        let start = clock.now()
        let deadline = options.passTimeout.map { ContinuousClock.now + .milliseconds(Int64($0 * 1_000)) }
        let connectTimeout = min(options.requestTimeout, 10)
        let sender = WebhookSender(connectTimeout: connectTimeout, connectionsPerHost: options.concurrency, environment: environment)
        let queue = sender.sendQueue(concurrency: options.concurrency, requestTimeout: options.requestTimeout, deadline: deadline)
        do {
            let report = try await pass(dueBy: start, only: only, deadline: deadline, queue: queue, builder: DeliveryRequests(keys: keys))
            try await sender.shutdown()
            return report
        } catch {
            try? await sender.shutdown()
            throw error
        }
    }

    /// Passes until `end` on the clock, sleeping (on the clock) until the next job is due between them.
    ///
    /// What the daemon runs; tests drive it with a clock that advances instead of waiting.
    public func run(until end: Date) async throws -> DeliveryReport {
        var report = DeliveryReport()
        while clock.now() <= end {
            let pass = try await runOnce()
            report.results += pass.results
            report.passSeconds += pass.passSeconds
            report.passCPUSeconds += pass.passCPUSeconds
            guard let next = try store.nextDeliveryDue(), next <= end else { break }
            if next <= clock.now() {
                if pass.results.isEmpty { break }
                continue
            }
            try await clock.sleep(until: next)
        }
        return report
    }

    private func pass(dueBy: Date, only: Set<String>?, deadline: ContinuousClock.Instant?, queue: WebhookSendQueue,
                      builder: DeliveryRequests) async throws -> DeliveryReport {
        var report = DeliveryReport()
        let started = ContinuousClock.now
        let cpuAtStart = DeliveryReport.processCPUSeconds()
        // Jobs are claimed in batches (one store transaction per batch, not per job) and handed
        // to a send queue on the HTTP client, which keeps `concurrency` requests in
        // flight. The next batch is claimed, on this thread, while half the claimed jobs are still
        // being sent, so the requests do not wait for the store. A batch's lease covers the
        // wait behind every request queued before it, as if each timed out; what has
        // not started by the deadline is handed back. Finished attempts are recorded in batches
        // too, most of them by the claims themselves (see `Recorder`).
        let recorder = Recorder(store: store, owner: owner, actor: options.actor, size: recordBatchSize)
        var claimedByTag: [Int: ClaimedDelivery] = [:]
        // Jobs to give back uncounted, together (at a deadline that can be a whole window):
        // before the next claim, which must see them, and at the end of the pass.
        var handedBack: [ClaimedDelivery] = []
        func handBack() throws {
            try store.releaseDeliveries(handedBack, owner: owner, now: clock.now())
            handedBack = []
        }
        var nextTag = 0
        var requestBuilder = builder
        var exhausted = false
        let open = { deadline.map { ContinuousClock.now < $0 } ?? true }

        /// Claims and submits while the claimed but unfinished jobs leave room for a batch.
        func refill() throws {
            while !exhausted, claimedByTag.count <= refillThreshold, open(), !Task.isCancelled {
                try handBack()
                // The claim records what finished first, in the same transaction: it must see
                // what this pass recorded (a 410 disables an endpoint).
                let lease = claimLease(queuedAhead: claimedByTag.count)
                let batch = try recorder.flush { finished in
                    try store.claimDueDeliveries(dueBy: dueBy, now: clock.now(), owner: owner, lease: lease,
                                                 limit: claimBatchSize, only: only, recording: finished, actor: options.actor,
                                                 ownerIsGone: ProcessLiveness.isGone) { unsent in
                        report.results.append(Self.result(unsent))
                    }
                }
                if batch.isEmpty {
                    exhausted = true
                    break
                }
                keys.prefetch(Set(batch.map(\.delivery.service)), at: clock.now())
                requestBuilder.startBatch(now: clock.now(), timestamp: Int64(wireClock.now().timeIntervalSince1970.rounded(.down)))
                var requests: [WebhookRequest] = []
                requests.reserveCapacity(batch.count)
                for claimed in batch {
                    // A 410 in this pass may have disabled the endpoint since the batch was claimed:
                    // hand the job back, and the next claim fails it with the reason instead of sending
                    // again. (Endpoints disabled before the claim never get here: the claim fails them.)
                    if recorder.disabledEndpoints.contains(claimed.delivery.url) {
                        handedBack.append(claimed)
                        continue
                    }
                    let failure: AttemptOutcome
                    switch requestBuilder.build(claimed, tag: nextTag) {
                    case .request(let request):
                        claimedByTag[nextTag] = claimed
                        requests.append(request)
                        nextTag += 1
                        continue
                    case .unsignable(let problem):
                        // Not sendable without its signing key: a failed attempt, recorded, retried later.
                        failure = .transportError("cannot sign: \(problem)")
                    case .unsendable(let problem):
                        failure = .transportError(problem)
                    }
                    let (result, finished) = conclude(claimed, outcome: failure, seconds: 0, cut: false)
                    report.results.append(result)
                    if let finished { try recorder.add(finished, idle: false) }
                }
                queue.submit(requests)
            }
            // Nothing left to wait for: the results stream ends.
            if claimedByTag.isEmpty && (exhausted || !open() || Task.isCancelled) { queue.finish() }
        }

        /// One request's result: reported and recorded, or handed back uncounted.
        func take(_ event: WebhookSendResult) throws {
            switch event {
            case .notStarted(let tag):
                // The deadline came first, or a 410 disabled its endpoint meanwhile: handed back
                // uncounted (in the second case the next claim fails it, saying why).
                guard let claimed = claimedByTag.removeValue(forKey: tag) else { return }
                handedBack.append(claimed)
                exhausted = false
            case .finished(let tag, let outcome, let seconds, let cut):
                guard let claimed = claimedByTag.removeValue(forKey: tag) else { return }
                let (result, finished) = conclude(claimed, outcome: outcome, seconds: seconds, cut: cut)
                report.results.append(result)
                if let finished {
                    // (A 410 also stops the queue sending there: what waits for it ends as not started.)
                    try recorder.add(finished, idle: claimedByTag.isEmpty)
                } else {
                    handedBack.append(claimed)
                }
            }
        }

        do {
            try refill()
            try await withTaskCancellationHandler {
                for await wake in Self.withTicks(queue.results, every: Recorder.maxAge / 2) {
                    switch wake {
                    case .results(let events):
                        for event in events { try take(event) }
                        try refill()
                    case .tick:
                        // Outcomes are written within `maxAge` of their answer, even while every
                        // other request in flight hangs: a kill then re-sends none of them.
                        try recorder.flushIfOlder()
                    }
                }
            } onCancel: {
                queue.cancel()
            }
            try handBack()
            try Task.checkCancellation()
            try recorder.flush()
        } catch {
            // Whatever went wrong, what was delivered is recorded (else it would be sent again),
            // and what was not sent is given back.
            queue.cancel()
            try? recorder.flush()
            try? handBack()
            throw error
        }
        report.passSeconds = Self.seconds(ContinuousClock.now - started)
        report.passCPUSeconds = max(0, DeliveryReport.processCPUSeconds() - cpuAtStart)
        return report
    }

    /// How many finished attempts wait before a transaction of their own records them: a
    /// window's worth. While there are jobs to claim, a claim comes first (every half-window)
    /// and records them in its own transaction.
    var recordBatchSize: Int { claimWindow }

    /// Finished attempts not yet in the store, written together: one transaction per batch
    /// instead of one per request. A batch is written when it is full, when nothing else is in
    /// flight, when its oldest result is 50 ms old, with every claim (the same transaction) and
    /// at the end of the pass. A crash loses at most the unwritten batch's outcomes: those jobs
    /// are still held by this process's claims and are sent again once it is gone
    /// (at-least-once, the receiver dedupes on `webhook-id`).
    final class Recorder {
        let store: StateStore
        let owner: JobOwner
        let actor: String
        let size: Int
        private var pending: [FinishedDelivery] = []
        private var oldest: ContinuousClock.Instant?
        /// Endpoints a 410 disabled during this pass.
        private(set) var disabledEndpoints = Set<String>()

        init(store: StateStore, owner: JobOwner, actor: String, size: Int) {
            self.store = store
            self.owner = owner
            self.actor = actor
            self.size = size
        }

        /// The longest a finished attempt waits before it is written.
        static let maxAge = Duration.milliseconds(50)

        func add(_ finished: FinishedDelivery, idle: Bool) throws {
            if finished.resolution == .disableEndpoint { disabledEndpoints.insert(finished.claimed.delivery.url) }
            pending.append(finished)
            if oldest == nil { oldest = .now }
            if idle || pending.count >= size { try flush() } else { try flushIfOlder() }
        }

        /// Writes what is pending when the oldest of it has waited ``maxAge`` or more.
        func flushIfOlder() throws {
            if let oldest, ContinuousClock.now - oldest >= Self.maxAge { try flush() }
        }

        func flush() throws {
            guard !pending.isEmpty else { return }
            try flush { try store.finishDeliveries($0, owner: owner, actor: actor) }
        }

        /// Hands what is pending to `write` (which records it in its own transaction) and
        /// forgets it once `write` succeeds.
        func flush<Result>(_ write: ([FinishedDelivery]) throws -> Result) rethrows -> Result {
            let result = try write(pending)
            pending = []
            oldest = nil
            return result
        }
    }

    /// How many jobs may be claimed and not yet finished at once. Each claim is one commit, so
    /// bigger batches mean fewer commits per delivery; past a few hundred they gain little
    /// (measured with `benchmarks/store_floor.py`) and only hold more jobs from other workers.
    var claimWindow: Int { max(256, 2 * options.concurrency) }

    /// How many jobs one claim takes: half the window, so the next claim runs while the other
    /// half is still being sent (and never more than the window holds).
    var claimBatchSize: Int { max(1, claimWindow / 2) }

    /// When the next claim is made: once no more than this many claimed jobs are unfinished.
    var refillThreshold: Int { max(0, claimWindow - claimBatchSize) }

    /// The lease for a batch claimed while `queuedAhead` claimed jobs are unfinished: the
    /// configured lease, counted from the latest moment the batch's last job can start. With
    /// `concurrency` requests at a time, each ending within the request timeout, the job at
    /// queue position `p` starts within `p / concurrency` timeouts. So a claimed job never
    /// outlives its lease before it is sent, however slow the receivers, and a batch can be
    /// much bigger than the jobs that fit in one lease.
    func claimLease(queuedAhead: Int) -> TimeInterval {
        let waves = (queuedAhead + claimBatchSize - 1) / max(1, options.concurrency)
        return options.effectiveLease + Double(waves) * options.requestTimeout
    }

    /// What an attempt's outcome means for its job: the result to report and, unless the
    /// deadline cut it short (the job is then handed back uncounted), the outcome to record.
    func conclude(_ claimed: ClaimedDelivery, outcome: AttemptOutcome, seconds: Double, cut: Bool) -> (DeliveryResult, FinishedDelivery?) {
        let delivery = claimed.delivery
        let latency = Int(seconds * 1_000)
        var result = DeliveryResult(jobID: claimed.job.id, eventID: delivery.eventID, eventType: delivery.eventType,
                                    service: delivery.service, url: delivery.url, attempt: claimed.attempt, result: .delivered,
                                    statusCode: outcome.statusCode, latencyMS: latency)
        if cut, case .timedOut = outcome {
            result.result = .released
            result.error = "not attempted in full: the delivery pass's time limit came first"
            return (result, nil)
        }
        let now = clock.now()
        let decision = DeliveryDecision.decide(outcome, attempt: claimed.attempt, maxAttempts: claimed.job.maxAttempts, now: now,
                                               schedule: options.schedule, unit: outcome.isSuccess ? 0 : jitter.next())
        let error = outcome.isSuccess ? nil : outcome.describe(url: delivery.url)
        let resolution: JobResolution
        switch decision {
        case .delivered: resolution = .completed
        case .retry(let at): resolution = .retry(at: at); result.result = .retrying; result.nextAttemptAt = at
        case .failed: resolution = .failed; result.result = .failed
        case .endpointGone: resolution = .disableEndpoint; result.result = .endpointDisabled
        }
        result.error = error
        return (result, FinishedDelivery(claimed: claimed, now: now, statusCode: outcome.statusCode, latencyMS: latency,
                                         error: error, resolution: resolution))
    }

    /// The report's line for a job a claim failed without a request.
    static func result(_ unsent: UnsentDelivery) -> DeliveryResult {
        DeliveryResult(jobID: unsent.jobID, eventID: unsent.delivery?.eventID ?? "", eventType: unsent.delivery?.eventType ?? "",
                       service: unsent.delivery?.service ?? "", url: unsent.delivery?.url ?? "", attempt: unsent.attempts,
                       result: .notSent, statusCode: nil, latencyMS: 0, error: unsent.error)
    }

    /// What wakes the pass: results from the send queue, or a tick.
    enum Wake: Sendable {
        case results([WebhookSendResult])
        case tick
    }

    /// `results`, with a `.tick` between them every `interval` until `results` ends.
    static func withTicks(_ results: AsyncStream<[WebhookSendResult]>, every interval: Duration) -> AsyncStream<Wake> {
        let (merged, continuation) = AsyncStream.makeStream(of: Wake.self)
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                continuation.yield(.tick)
            }
        }
        let forwarder = Task {
            for await events in results { continuation.yield(.results(events)) }
            ticker.cancel()
            continuation.finish()
        }
        continuation.onTermination = { _ in
            ticker.cancel()
            forwarder.cancel()
        }
        return merged
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
