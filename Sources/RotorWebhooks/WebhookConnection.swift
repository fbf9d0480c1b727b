import NIOCore

/// One request from the moment it is handed to the client until its outcome is known.
///
/// Lives on the client's event loop: every mutable field is read and written there only. Its
/// outcome goes to one callback (no future per request), and it is its own timer's handler.
final class WebhookExchange: NIOScheduledCallbackHandler, @unchecked Sendable {
    typealias Completion = (Result<AttemptOutcome, any Error>) -> Void

    let endpoint: WebhookTarget.Endpoint
    /// The whole request as it goes on the wire: request line, header fields and body.
    let request: ByteBuffer
    /// Seconds it may take; a send queue sets it when the request starts.
    var timeout: Double
    /// The request timeout, once started.
    var timer: NIOScheduledCallback?
    /// The connection carrying it, once there is one.
    var connection: WebhookConnection?
    /// Whether it was sent once more after a kept-alive connection ended without an answer.
    var resent = false
    private var result: Result<AttemptOutcome, any Error>?
    private var completion: Completion?

    init(endpoint: WebhookTarget.Endpoint, request: ByteBuffer, timeout: Double) {
        self.endpoint = endpoint
        self.request = request
        self.timeout = timeout
    }

    /// Whether it has its outcome (or was abandoned).
    var finished: Bool { result != nil }

    /// Calls `completion` with the outcome once there is one: at once when there already is.
    func whenFinished(_ completion: @escaping Completion) {
        if let result { completion(result) } else { self.completion = completion }
    }

    /// Reports the outcome (the first one wins) and stops the timer.
    func finish(_ outcome: AttemptOutcome) {
        end(.success(outcome))
    }

    /// Ends it without an outcome (the calling task was cancelled).
    func abandon() {
        guard !finished else { return }
        end(.failure(CancellationError()))
        connection?.close()
    }

    private func end(_ result: Result<AttemptOutcome, any Error>) {
        guard !finished else { return }
        self.result = result
        timer?.cancel()
        timer = nil
        let completion = self.completion
        self.completion = nil
        completion?(result)
    }

    /// The request timeout ran out: a timed-out attempt, and its connection (if any) is closed.
    func handleScheduledCallback(eventLoop: some EventLoop) {
        timer = nil
        guard !finished else { return }
        let connection = self.connection
        finish(.timedOut(seconds: timeout))
        connection?.close()
    }
}

/// The handler of one HTTP/1.1 connection (after TLS, when there is TLS): writes one exchange's
/// request at a time and reads its answer with an ``HTTPResponseReader``. The status and
/// `Retry-After` are kept; at most ``WebhookHTTPClient/maxResponseBytes`` of body are read (and
/// discarded) so the connection can be reused; a longer body closes it.
///
/// The request goes out as one buffer, serialized when the exchange was made (off the event loop).
final class WebhookConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let endpoint: WebhookTarget.Endpoint
    private let pool: WebhookConnectionPool
    private var context: ChannelHandlerContext?
    private var exchange: WebhookExchange?
    private var reader = HTTPResponseReader()
    private var head: HTTPResponseReader.Head?
    /// How many exchanges it answered.
    private var answered = 0
    private var closing = false
    /// Whether it can carry an exchange: connected and not being closed.
    var isActive: Bool { !closing && (context?.channel.isActive ?? false) }

    init(endpoint: WebhookTarget.Endpoint, pool: WebhookConnectionPool) {
        self.endpoint = endpoint
        self.pool = pool
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Writes the exchange's request.
    func send(_ exchange: WebhookExchange) {
        guard let context, isActive else {
            interrupted(exchange, error: nil)
            return
        }
        self.exchange = exchange
        exchange.connection = self
        reader = HTTPResponseReader()
        head = nil
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { [weak self] error in
            guard let self, let current = self.exchange, current === exchange else { return }
            self.exchange = nil
            self.interrupted(exchange, error: error)
            self.close()
        }
        context.writeAndFlush(wrapOutboundOut(exchange.request), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let exchange else {
            // Bytes nobody asked for (an idle connection): it cannot be trusted with a request.
            close()
            return
        }
        reader.append(unwrapInboundIn(data))
        do {
            while let event = try reader.next() {
                switch event {
                case .head(let head):
                    self.head = head
                case .end:
                    answer(reuse: head?.keepAlive == true && reader.endedCleanly)
                    return
                }
            }
            if reader.bodyBytes > WebhookHTTPClient.maxResponseBytes { answer(reuse: false) }
        } catch {
            if head != nil {
                // The status came; a broken body does not change it (the connection is not reused).
                answer(reuse: false)
            } else {
                self.exchange = nil
                exchange.connection = nil
                exchange.finish(.transportError("\(error)"))
                close()
            }
        }
    }

    private func answer(reuse: Bool) {
        guard let exchange, let head else { return }
        self.exchange = nil
        answered += 1
        exchange.connection = nil
        // Back to the pool first: whoever learns of the answer may start the next request at
        // once, and it should find this connection idle rather than open another.
        if reuse { pool.release(self) } else { close() }
        exchange.finish(.response(status: head.status, retryAfter: head.retryAfter))
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        pool.forget(self)
        // A body that ends with the connection has ended.
        if exchange != nil, reader.endOfInput() == .end { answer(reuse: false) }
        if let exchange {
            self.exchange = nil
            interrupted(exchange, error: nil)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let exchange {
            self.exchange = nil
            interrupted(exchange, error: error)
        }
        close()
    }

    /// The connection ended or failed before the answer was complete.
    ///
    /// On a kept-alive connection that had answered before, an end with no byte of answer is
    /// most often the receiver closing it while idle, just as the request went out (the request
    /// was never read): the exchange is sent once more on a new connection, as Go's and curl's
    /// clients do. If instead the receiver read it and hung up, it gets it twice: at-least-once,
    /// and receivers dedupe on `webhook-id`.
    private func interrupted(_ exchange: WebhookExchange, error: Error?) {
        exchange.connection = nil
        if let head {
            // The status came; the rest of the body does not matter.
            exchange.finish(.response(status: head.status, retryAfter: head.retryAfter))
        } else if answered > 0 && !exchange.resent {
            exchange.resent = true
            pool.resend(exchange)
        } else {
            exchange.finish(.transportError(error.map(WebhookHTTPClient.describe) ?? "the receiver closed the connection without answering"))
        }
    }

    /// Completes when the connection's socket is closed.
    var closeFuture: EventLoopFuture<Void>? { context?.channel.closeFuture }

    func close() {
        closing = true
        context?.close(promise: nil)
    }
}
