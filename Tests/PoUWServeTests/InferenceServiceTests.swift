import Foundation
import PoUWAPI
import PoUWInference
import PoUWServe
import Synchronization
import Testing

/// The model every run of this suite serves: `POUW_MODEL`, else the package's `.models` copy (installed by
/// `Deploy/setup.sh`; these tests require it).
private let modelPath: String = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return ProcessInfo.processInfo.environment["POUW_MODEL"]
        ?? root.appendingPathComponent(".models/SmolLM2-135M-Instruct.Q4_1.gguf").path
}()

/// One service for the whole test run (loading maps the file once); its queue serialises the tests' requests.
private let sharedService = Mutex<InferenceService?>(nil)

/// The shared service, loaded on first use; the model must be installed.
func servedModel() throws -> InferenceService {
    try #require(FileManager.default.fileExists(atPath: modelPath),
                 "the model \(modelPath) is missing: run `bash Deploy/setup.sh` (these tests need it)")
    return try sharedService.withLock { shared in
        if let shared { return shared }
        let loaded = try InferenceService.load(path: modelPath, threads: 2)
        shared = loaded
        return loaded
    }
}

@Suite(.serialized)
struct InferenceServiceTests {
    let service: InferenceService

    init() throws {
        service = try servedModel()
    }

    func chat(
        _ text: String, maxTokens: Int? = 24, temperature: Double = 0, seed: UInt64? = nil, stop: [String] = [],
        logprobs: Bool = false, topLogprobs: Int = 0, requestID: UInt64 = 1
    ) -> CompletionJob {
        CompletionJob(
            requestID: requestID, model: service.modelName,
            prompt: .chat([CompletionMessage(role: "user", content: text)]), maxTokens: maxTokens,
            temperature: temperature, seed: seed, stop: stop, logprobs: logprobs, topLogprobs: topLogprobs)
    }

    @Test func servesTheFileNameWithoutExtension() {
        #expect(service.modelName == "SmolLM2-135M-Instruct.Q4_1")
        #expect(InferenceService.servedModelName(path: "/a/b/m.gguf") == "m")
        let view = service.serveModel(named: service.modelName)
        #expect(view?.contextLength == service.generator.model.positionsMax)
        #expect(service.serveModel(named: "other") == nil)
        #expect(service.models() == [view].compactMap { $0 })
    }

    @Test func aSecondInstanceOnTheSameWeightsAnswersAlike() async throws {
        let second = try InferenceService.load(sharingWeightsOf: service.generator.model, threads: 1,
                                               modelName: "served")
        #expect(second.models().map(\.id) == ["served"])
        var job = chat("What is two plus two?", maxTokens: 12)
        let first = try await service.complete(job)
        job.model = "served"
        #expect(try await second.complete(job) == first)
    }

    @Test func engineBoundsMatchTheAPIBounds() {
        #expect(InferenceLimits().maxTokensMax == SamplingParameters.maxTokensMax)
        #expect(InferenceLimits.stopSequencesMax == SamplingParameters.stopSequencesMax)
        #expect(InferenceLimits.stopSequenceBytesMax == SamplingParameters.stopSequenceBytesMax)
        #expect(InferenceLimits.topLogprobsMax == LogProbabilities.topCountMax)
    }

    @Test func greedyCompletionIsTheSameTwice() async throws {
        let job = chat("What is the capital of France?")
        let first = try await service.complete(job)
        var other = job
        other.requestID = 99
        let second = try await service.complete(other)
        #expect(!first.text.isEmpty)
        #expect(first.text == second.text)
        #expect(first.completionTokens == second.completionTokens)
        #expect(first.promptTokens > 5)
    }

    @Test func seededSamplingReproducesAndTheSeedIsReported() async throws {
        let job = chat("Write a word.", maxTokens: 16, temperature: 1, seed: 1234)
        let first = try await service.complete(job)
        var other = job
        other.requestID = 7
        let second = try await service.complete(other)
        #expect(first.text == second.text)
        #expect(first.seed == 1234 && second.seed == 1234)
        // Without a seed, the one derived from the request id is reported and replays the answer.
        let unseeded = try await service.complete(chat("Write a word.", maxTokens: 16, temperature: 1,
                                                       requestID: 555))
        #expect(unseeded.seed == chat("", requestID: 555).resolvedSeed)
        let replay = try await service.complete(chat("Write a word.", maxTokens: 16, temperature: 1,
                                                     seed: unseeded.seed, requestID: 556))
        #expect(replay.text == unseeded.text)
    }

    @Test func maxTokensThreeEndsWithLength() async throws {
        let result = try await service.complete(chat("Tell me a long story about a dragon.", maxTokens: 3))
        #expect(result.finishReason == .length)
        #expect(result.completionTokens == 3)
    }

    @Test func stopSequenceIsHonoured() async throws {
        let free = try await service.complete(chat("Count from 1 to 10, separated by commas.", maxTokens: 40))
        // Stop at the first character after the answer's first one: the answer is cut before it.
        let characters = Array(free.text)
        try #require(characters.count >= 3, "the model answered too little: \(free.text.debugDescription)")
        let stop = String(characters[1...2])
        let stopped = try await service.complete(chat("Count from 1 to 10, separated by commas.", maxTokens: 40,
                                                      stop: [stop]))
        #expect(stopped.finishReason == .stop)
        #expect(!stopped.text.contains(stop))
        #expect(free.text.hasPrefix(stopped.text))
        #expect(stopped.text == String(free.text[..<free.text.range(of: stop)!.lowerBound]))
    }

    @Test func streamedTextEqualsTheWholeAnswer() async throws {
        let job = chat("Name three colours.", maxTokens: 24, temperature: 0.8, seed: 77)
        let whole = try await service.complete(job)
        let pieces = Mutex<[String]>([])
        let streamed = try await service.stream(job) { event in
            pieces.withLock { $0.append(event.text) }
            return true
        }
        #expect(pieces.withLock { $0.joined() } == whole.text)
        #expect(streamed == whole)
    }

    @Test func logprobsCoverEveryTextToken() async throws {
        let result = try await service.complete(chat("Say hello.", maxTokens: 8, logprobs: true, topLogprobs: 3))
        let logprobs = try #require(result.logprobs)
        let ended = result.finishReason == .stop
        #expect(logprobs.count == result.completionTokens - (ended ? 1 : 0))
        #expect(logprobs.allSatisfy { $0.logprob <= 0 && $0.top.count == 3 })
        // Greedy: the chosen token is the most likely one.
        #expect(logprobs.allSatisfy { $0.top[0].bytes == $0.bytes })
        #expect(String(decoding: logprobs.flatMap(\.bytes), as: UTF8.self) == result.text)
    }

    @Test func clientGoneStopsTheStream() async throws {
        let count = Mutex(0)
        let result = try await service.stream(chat("Tell me a long story.", maxTokens: 64)) { _ in
            count.withLock { $0 += 1 }
            return false
        }
        #expect(result.finishReason == .stop)
        #expect(result.completionTokens <= 2)
    }

    @Test func promptBeyondTheContextIs400() async throws {
        let context = service.generator.model.positionsMax
        let job = chat("hi", maxTokens: context)
        await #expect {
            _ = try await service.complete(job)
        } throws: { error in
            (error as? APIError)?.code == "context_length_exceeded" && (error as? APIError)?.param == "max_tokens"
        }
    }
}
