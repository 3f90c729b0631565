import Foundation
import PoUWAPI
import Synchronization

/// An inference backend serving "fake-model" (context 64): it answers "Hello!" in the tokens "Hel", "lo", "!"
/// (cut at `maxTokens`: finish reason `length`), each with log-probability −0.5 and alternatives. With
/// `blocks`, every request waits inside the backend until `release()`; `entered` is signalled on arrival.
final class FakeInference: InferenceAPIBackend {
    static let modelID = "fake-model"
    static let pieces = ["Hel", "lo", "!"]

    let blocks: Bool
    let jobs = Mutex<[CompletionJob]>([])
    let entered = DispatchSemaphore(value: 0)
    private let releases: AsyncStream<Void>
    private let releaseSink: AsyncStream<Void>.Continuation

    init(blocks: Bool = false) {
        self.blocks = blocks
        (releases, releaseSink) = AsyncStream.makeStream(of: Void.self)
    }

    /// Lets one blocked request go on.
    func release() { releaseSink.yield() }

    func models() -> [ModelView] { [ModelView(id: Self.modelID, contextLength: 64)] }

    func complete(_ request: CompletionJob) async throws(APIError) -> CompletionResult {
        try await stream(request) { _ in true }
    }

    func stream(
        _ request: CompletionJob, onToken: @escaping @Sendable (TokenEvent) async -> Bool
    ) async throws(APIError) -> CompletionResult {
        jobs.withLock { $0.append(request) }
        entered.signal()
        if blocks {
            for await _ in releases { break }
        }
        let count = min(request.maxTokens ?? Self.pieces.count, Self.pieces.count)
        var text = ""
        var logprobs: [TokenLogprob] = []
        for piece in Self.pieces.prefix(count) {
            var top: [TopLogprob] = []
            for rank in 0..<request.topLogprobs {
                let token = rank == 0 ? piece : "alt\(rank)"
                let logprob = rank == 0 ? -0.5 : -2.0 - Double(rank)
                top.append(TopLogprob(token: token, logprob: logprob, bytes: Array(token.utf8)))
            }
            let entry = TokenLogprob(token: piece, logprob: -0.5, bytes: Array(piece.utf8), top: top)
            if request.logprobs { logprobs.append(entry) }
            text += piece
            guard await onToken(TokenEvent(text: piece, logprob: request.logprobs ? entry : nil)) else { break }
        }
        return CompletionResult(
            text: text, finishReason: count < Self.pieces.count ? .length : .stop, promptTokens: 7,
            completionTokens: count, logprobs: request.logprobs ? logprobs : nil, seed: request.resolvedSeed)
    }
}
