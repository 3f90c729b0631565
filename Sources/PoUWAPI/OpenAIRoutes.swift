/// The OpenAI-compatible routes: `GET /v1/models`, `POST /v1/chat/completions`, `POST /v1/completions`, whole
/// answers as JSON and streamed ones as server-sent events (`data: {chunk}\n\n` … `data: [DONE]\n\n`).
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

enum OpenAIRoutes {
    /// The routes as `ErrorMiddleware` lists them in its 404 answer.
    static let routeList = "GET /v1/models; POST /v1/chat/completions, /v1/completions"

    /// Adds the routes to `router`. Without `inference` the completion routes answer 503 and the model list
    /// is empty.
    static func add(
        to router: Router<BasicRequestContext>, inference: (any InferenceAPIBackend)?, limits: InferenceLimits
    ) {
        let gate = InferenceGate(limit: limits.concurrentRequestsMax)
        router.get("v1/models") { _, _ in try APIRoutes.json(ModelListView(data: inference?.models() ?? [])) }
        router.post("v1/chat/completions") { request, _ in
            try await serve(request, kind: .chat, inference: inference, gate: gate, limits: limits)
        }
        router.post("v1/completions") { request, _ in
            try await serve(request, kind: .text, inference: inference, gate: gate, limits: limits)
        }
    }

    /// Admits, parses, bounds and answers one completion request.
    static func serve(
        _ request: Request, kind: OpenAIAnswer.Kind, inference: (any InferenceAPIBackend)?, gate: InferenceGate,
        limits: InferenceLimits
    ) async throws -> Response {
        guard let inference else {
            throw APIError(message: "this node serves no model; start it with a model to use the /v1 endpoints",
                           type: APIError.unavailableType, code: "model_not_loaded")
        }
        let ticket = try gate.enter()
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.bodyBytesMax)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(message: "request body larger than \(limits.bodyBytesMax) bytes; send a shorter prompt",
                           type: APIError.requestTooLargeType, code: "body_too_large")
        }
        let bytes = Array(body.readableBytesView)
        let requestID = UInt64.random(in: .min ... .max)
        let parsed = switch kind {
        case .chat: try OpenAIRequestParser.chat(bytes, requestID: requestID, limits: limits)
        case .text: try OpenAIRequestParser.text(bytes, requestID: requestID, limits: limits)
        }
        let models = inference.models()
        guard !models.isEmpty else {
            throw APIError(message: "no model is loaded yet; retry once the node has loaded its model",
                           type: APIError.unavailableType, code: "model_not_loaded")
        }
        guard let model = models.first(where: { $0.id == parsed.job.model }) else {
            throw APIError(
                message: "the model '\(parsed.job.model.prefix(200))' is not served here; served: "
                    + models.map(\.id).joined(separator: ", ") + " (GET /v1/models)",
                type: APIError.notFoundType, code: "model_not_found", param: "model")
        }
        if let maxTokens = parsed.job.maxTokens, maxTokens > model.contextLength {
            throw OpenAIRequestParser.invalid(
                "max_tokens", "is \(maxTokens); the model's context holds \(model.contextLength) tokens")
        }
        let answer = OpenAIAnswer(
            kind: kind, requestID: requestID, created: Int(Date().timeIntervalSince1970), model: model.id,
            request: parsed)
        if parsed.stream {
            return try await stream(parsed.job, answer: answer, inference: inference, ticket: ticket)
        }
        let result = try await inference.complete(parsed.job)
        withExtendedLifetime(ticket) {}
        return try APIRoutes.json(answer.whole(result))
    }

    /// What the generating task hands the response writer.
    private enum StreamItem: Sendable {
        case token(TokenEvent)
        case done(CompletionResult)
        case failed(APIError)
    }

    /// Whether the stream has started (first token, end or failure signalled) and whether the client is gone.
    private final class StreamFlags: Sendable {
        let started = Atomic<Bool>(false)
        let gone = Atomic<Bool>(false)

        /// True exactly once: for the first caller.
        func start() -> Bool { !started.exchange(true, ordering: .acquiringAndReleasing) }
    }

    /// Starts generating; answers with the backend's error if it fails before the first token, otherwise with
    /// a 200 event stream. The ticket is held until generation has ended.
    private static func stream(
        _ job: CompletionJob, answer: OpenAIAnswer, inference: any InferenceAPIBackend, ticket: InferenceTicket
    ) async throws -> Response {
        let (items, sink) = AsyncStream.makeStream(of: StreamItem.self)
        let (start, startSink) = AsyncStream.makeStream(of: APIError?.self)
        let flags = StreamFlags()
        let producer = Task(executorPreference: APIExecutor.shared) {
            do throws(APIError) {
                let result = try await inference.stream(job) { event in
                    if flags.start() { startSink.yield(nil) }
                    sink.yield(.token(event))
                    return !flags.gone.load(ordering: .acquiring)
                }
                sink.yield(.done(result))
                if flags.start() { startSink.yield(nil) }
            } catch {
                sink.yield(.failed(error))
                if flags.start() { startSink.yield(error) }
            }
            sink.finish()
            startSink.finish()
            withExtendedLifetime(ticket) {}
        }
        for await outcome in start {
            if let outcome { throw outcome }
            break
        }
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var answer = answer
            do {
                for event in answer.opening() { try await writer.write(event) }
                for await item in items {
                    switch item {
                    case .token(let token):
                        if let event = answer.chunk(token) { try await writer.write(event) }
                    case .done(let result):
                        for event in answer.closing(result) { try await writer.write(event) }
                    case .failed(let error):
                        try await writer.write(OpenAIAnswer.event(APIErrorEnvelope(error: error)))
                    }
                }
                try await writer.finish(nil)
            } catch {
                flags.gone.store(true, ordering: .releasing)
                producer.cancel()
            }
        })
    }
}

/// Counts the inference requests in flight; one past `limit` is refused with 429.
final class InferenceGate: Sendable {
    let limit: Int
    private let inFlight = Mutex(0)

    init(limit: Int) {
        precondition(limit >= 1, "concurrentRequestsMax must be at least 1")
        self.limit = limit
    }

    /// A ticket holding one slot until it is released (when it is deinitialised).
    func enter() throws(APIError) -> InferenceTicket {
        let admitted = inFlight.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else {
            throw APIError(
                message: "\(limit) inference requests are already in flight on this node; retry shortly",
                type: APIError.rateLimitType, code: "rate_limit_exceeded")
        }
        return InferenceTicket(gate: self)
    }

    fileprivate func leave() { inFlight.withLock { $0 -= 1 } }
}

/// One admitted request's slot in the gate, given back on deinit.
final class InferenceTicket: Sendable {
    private let gate: InferenceGate

    fileprivate init(gate: InferenceGate) { self.gate = gate }

    deinit { gate.leave() }
}
