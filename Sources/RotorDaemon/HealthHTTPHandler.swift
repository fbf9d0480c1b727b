import NIOCore
import NIOHTTP1

/// Answers one HTTP request at a time on a connection: `/healthz` and `/metrics`.
final class HealthHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let status: DaemonStatus
    private var request: HTTPRequestHead?

    init(status: DaemonStatus) {
        self.status = status
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            let (code, contentType, body) = respond(to: head)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            headers.add(name: "Cache-Control", value: "no-store")
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            let responseHead = HTTPResponseHead(version: head.version, status: code, headers: headers)
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            if head.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            }
            if head.isKeepAlive {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            } else {
                // Closed once the response is written; the channel, not this handler's context, is what may cross threads.
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }

    /// Status, content type and body for a request.
    func respond(to head: HTTPRequestHead) -> (HTTPResponseStatus, String, String) {
        let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
        guard path == "/healthz" || path == "/metrics" else { return (.notFound, "text/plain; charset=utf-8", "not found: try /healthz or /metrics\n") }
        guard head.method == .GET || head.method == .HEAD else { return (.methodNotAllowed, "text/plain; charset=utf-8", "GET only\n") }
        if path == "/metrics" { return (.ok, PrometheusText.contentType, PrometheusText.render(status.snapshot)) }
        let health = status.health
        return (health.isHealthy ? .ok : .serviceUnavailable, "text/plain; charset=utf-8", health.text)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
