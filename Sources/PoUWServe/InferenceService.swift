/// Serves the OpenAI-compatible endpoints from one loaded model: the `InferenceAPIBackend` the node hands its
/// `APIServer`.
import Dispatch
public import PoUWAPI
public import PoUWInference
import Synchronization

/// Why a model could not be loaded for serving.
public enum InferenceServiceError: Error, Sendable, CustomStringConvertible {
    case cannotLoad(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotLoad(let path, let reason):
            "cannot load the model \(path) for serving: \(reason); check [inference] model in config.toml "
                + "or run `bash Deploy/setup.sh`"
        }
    }
}

/// Runs completion jobs on one model, one sequence at a time.
///
/// Generation is serialised on one dispatch queue: requests wait there in arrival order (the API bounds how
/// many wait, `InferenceLimits.concurrentRequestsMax`), and each runs alone on the model's worker pool.
/// Batching several sequences per decode step is not done yet. The model must be this service's alone:
/// `InferenceModel` traps when two calls overlap, so the Sprint needs its own instance (`load` maps the
/// same file again; the weights' pages are shared).
///
/// Sampling follows OpenAI's defaults (`temperature` 1, `top_p` 1, no top-k cut beyond the sampler's
/// candidate cap). The sampler is keyed by the seed alone (its request id is fixed at 0), so the same seed,
/// prompt and parameters give the same tokens; without a seed, one is derived from the request id
/// (`CompletionJob.resolvedSeed`) and reported as `pouw_seed`.
public final class InferenceService: InferenceAPIBackend {
    /// `max_tokens` when the request gives none, bounded by what the context leaves.
    public static let defaultMaxTokens = 512
    /// The sampler's request id: fixed, so that the seed alone keys the draws.
    public static let samplerRequestID: UInt64 = 0

    public let generator: Generator
    /// The name requests use in `model`.
    public let modelName: String
    /// `nil` when the model has no chat template this engine renders (chat requests are then refused).
    public let template: ChatTemplate?
    /// Why `template` is nil, for the refusal's message.
    private let templateProblem: String?
    private let queue = DispatchQueue(label: "pouw.serve", qos: .userInitiated)

    /// Serves `generator`'s model under `modelName`. The model must not be used by anything else.
    public init(generator: Generator, modelName: String) {
        precondition(!modelName.isEmpty, "a served model needs a name")
        self.generator = generator
        self.modelName = modelName
        do {
            template = try ChatTemplate(gguf: generator.model.weights.file)
            templateProblem = nil
        } catch {
            template = nil
            templateProblem = "\(error)"
        }
    }

    /// Loads the GGUF model at `path` (its own instance, `threads` worker threads) and serves it under
    /// `modelName`, or under the file's name without its extension.
    public static func load(
        path: String, threads: Int, modelName: String? = nil
    ) throws(InferenceServiceError) -> InferenceService {
        do {
            let model = try InferenceModel(path: path, threads: threads)
            let tokenizer = try Tokenizer(gguf: model.weights.file)
            let name = modelName ?? servedModelName(path: path)
            return InferenceService(generator: Generator(model: model, tokenizer: tokenizer), modelName: name)
        } catch {
            throw .cannotLoad(path: path, reason: "\(error)")
        }
    }

    /// Serves the weights of an already loaded `model` (the Sprint's, say) through a second instance of its
    /// own: the mapped file is shared, the activation buffers and the `threads` worker threads are not, so
    /// the two never overlap a call.
    public static func load(
        sharingWeightsOf model: InferenceModel, threads: Int, modelName: String
    ) throws(InferenceServiceError) -> InferenceService {
        do {
            let own = try InferenceModel(file: model.weights.file, threads: threads, batchRowsMax: model.batchRowsMax)
            let tokenizer = try Tokenizer(gguf: model.weights.file)
            return InferenceService(generator: Generator(model: own, tokenizer: tokenizer), modelName: modelName)
        } catch {
            throw .cannotLoad(path: modelName, reason: "\(error)")
        }
    }

    /// The name a model file is served under: its file name without directories and extension
    /// (`.models/SmolLM2-135M-Instruct.Q4_1.gguf` → `SmolLM2-135M-Instruct.Q4_1`).
    public static func servedModelName(path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return file.hasSuffix(".gguf") ? String(file.dropLast(".gguf".count)) : file
    }

    /// The metadata of the model served as `name`, or `nil` when this service does not serve it.
    public func serveModel(named name: String) -> ModelView? {
        name == modelName ? ModelView(id: modelName, contextLength: generator.model.positionsMax) : nil
    }

    public func models() -> [ModelView] {
        [ModelView(id: modelName, contextLength: generator.model.positionsMax)]
    }

    public func complete(_ request: CompletionJob) async throws(APIError) -> CompletionResult {
        let stop = StopFlag()
        let outcome = await withTaskCancellationHandler {
            await run(request, stop: stop, onEvent: { _ in })
        } onCancel: {
            stop.set()
        }
        return try outcome.get()
    }

    public func stream(
        _ request: CompletionJob, onToken: @escaping @Sendable (TokenEvent) async -> Bool
    ) async throws(APIError) -> CompletionResult {
        let (events, sink) = AsyncStream.makeStream(of: TokenEvent.self)
        let stop = StopFlag()
        let outcome = await withTaskCancellationHandler {
            async let result = run(request, stop: stop, onEvent: { sink.yield($0) }, onEnd: { sink.finish() })
            for await event in events where !stop.isSet {
                if !(await onToken(event)) { stop.set() }
            }
            return await result
        } onCancel: {
            stop.set()
        }
        return try outcome.get()
    }

    /// Runs `job` on the queue; `onEvent` sees each token and then `onEnd` is called, both on the queue.
    private func run(
        _ job: CompletionJob, stop: StopFlag, onEvent: @escaping @Sendable (TokenEvent) -> Void,
        onEnd: @escaping @Sendable () -> Void = {}
    ) async -> Result<CompletionResult, APIError> {
        await withCheckedContinuation { continuation in
            queue.async {
                let result = Result { () throws(APIError) -> CompletionResult in
                    try self.generate(job, stop: stop, onEvent: onEvent)
                }
                onEnd()
                continuation.resume(returning: result)
            }
        }
    }

    /// Tokenizes, bounds and generates; runs on the queue.
    private func generate(
        _ job: CompletionJob, stop: StopFlag, onEvent: (TokenEvent) -> Void
    ) throws(APIError) -> CompletionResult {
        guard job.model == modelName else {
            throw APIError(message: "the model '\(job.model.prefix(200))' is not served here; served: \(modelName)",
                           type: APIError.notFoundType, code: "model_not_found", param: "model")
        }
        let tokenizer = generator.tokenizer
        let (prompt, promptParam) = try promptTokens(job.prompt)
        let context = generator.model.positionsMax
        guard prompt.count < context else {
            throw APIError(
                message: "the prompt is \(prompt.count) tokens; the model's context holds \(context), "
                    + "and at least one token must be left to generate: shorten the prompt",
                type: APIError.invalidRequestType, code: "context_length_exceeded", param: promptParam)
        }
        let maxTokens: Int
        if let asked = job.maxTokens {
            guard prompt.count + asked <= context else {
                throw APIError(
                    message: "the prompt (\(prompt.count) tokens) plus max_tokens (\(asked)) exceeds the model's "
                        + "context of \(context) tokens: lower max_tokens or shorten the prompt",
                    type: APIError.invalidRequestType, code: "context_length_exceeded", param: "max_tokens")
            }
            maxTokens = asked
        } else {
            maxTokens = min(Self.defaultMaxTokens, context - prompt.count)
        }
        let seed = job.resolvedSeed
        let parameters = try Self.parameters(job, seed: seed, maxTokens: maxTokens)
        var logprobs: [TokenLogprob] = []
        let generation: Generation
        do {
            generation = try generator.generate(
                prompt: prompt, parameters: parameters, requestID: Self.samplerRequestID,
                topLogprobs: job.logprobs ? job.topLogprobs : 0
            ) { token in
                var event = TokenEvent(text: token.text)
                if job.logprobs && !tokenizer.endOfGenerationIDs.contains(token.token) {
                    let entry = TokenLogprob(
                        token: tokenizer.decode([token.token]), logprob: token.logprob,
                        bytes: tokenizer.decodeBytes([token.token]),
                        top: token.top.map {
                            TopLogprob(token: tokenizer.decode([$0.token]), logprob: $0.logprob,
                                       bytes: tokenizer.decodeBytes([$0.token]))
                        })
                    logprobs.append(entry)
                    event.logprob = entry
                }
                onEvent(event)
                return !stop.isSet
            }
        } catch {
            throw APIError(message: "generation failed: \(error)", type: APIError.serverErrorType,
                           code: "inference_failed")
        }
        return CompletionResult(
            text: generation.text, finishReason: generation.finishReason == .length ? .length : .stop,
            promptTokens: prompt.count, completionTokens: generation.tokens.count,
            logprobs: job.logprobs ? logprobs : nil, seed: seed)
    }

    /// The prompt's token ids and the parameter to name if it is refused.
    private func promptTokens(_ prompt: CompletionPrompt) throws(APIError) -> (tokens: [Int], param: String) {
        let tokenizer = generator.tokenizer
        var tokens: [Int] = []
        if tokenizer.addsBOS, let bos = tokenizer.bosID { tokens.append(bos) }
        switch prompt {
        case .chat(let messages):
            guard let template else {
                throw APIError(message: "this model cannot chat: \(templateProblem ?? "no chat template"); "
                                   + "use POST /v1/completions with a formatted prompt",
                               type: APIError.invalidRequestType, code: "no_chat_template", param: "messages")
            }
            let chat = messages.map { ChatMessage(role: $0.role, content: $0.content) }
            guard let encoded = tokenizer.encode(pieces: template.pieces(chat, addGenerationPrompt: true)) else {
                throw APIError(message: "the model's chat template names a token its vocabulary lacks; "
                                   + "use POST /v1/completions", type: APIError.serverErrorType,
                               code: "bad_chat_template")
            }
            tokens += encoded
            return (tokens, "messages")
        case .text(let text):
            let encoded = tokenizer.encode(text, parseSpecial: false)
            guard !encoded.isEmpty else {
                throw APIError(message: "parameter 'prompt' encodes to no tokens", type: APIError.invalidRequestType,
                               code: "invalid_value", param: "prompt")
            }
            tokens += encoded
            return (tokens, "prompt")
        }
    }

    /// The engine's sampling parameters for `job`; a value the engine refuses is a 400 naming it.
    static func parameters(
        _ job: CompletionJob, seed: UInt64, maxTokens: Int
    ) throws(APIError) -> SamplingParameters {
        do {
            return try SamplingParameters(
                temperature: Float(job.temperature), topK: 0, topP: Float(job.topP), seed: seed,
                maxTokens: maxTokens, stopSequences: job.stop)
        } catch {
            let names = ["temperature": "temperature", "topP": "top_p", "maxTokens": "max_tokens",
                         "stopSequences": "stop"]
            let param: String? = switch error {
            case .invalidParameter(let name, _): names[name] ?? name
            }
            throw APIError(message: "\(error)", type: APIError.invalidRequestType, code: "invalid_value",
                           param: param)
        }
    }
}

/// Set once the client is gone or the task cancelled: generation stops at the next token.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }
}
