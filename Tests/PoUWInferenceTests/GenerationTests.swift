import Foundation
import PoUWInference
import Testing

/// Generation, scoring and log-probabilities on the reference model.
private func withReference<T>(_ body: (InferenceModel, Tokenizer) throws -> T) throws -> T? {
    guard let box = GGUFReferenceFiles.model else { return nil }
    let tokenizer = try Tokenizer(gguf: box.file)
    return try ReferenceModels.with(threads: 2) { try body($0, tokenizer) }
}

private func chatPrompt(_ tokenizer: Tokenizer, _ user: String) throws -> [Int] {
    let template = try ChatTemplate(gguf: GGUFReferenceFiles.model!.file)
    return try #require(tokenizer.encode(pieces: template.pieces([ChatMessage(role: "user", content: user)],
                                                                  addGenerationPrompt: true)))
}

@Suite struct LogProbabilitiesTests {
    @Test("log-probabilities normalise and match a double-precision reference")
    func matchesReference() {
        var random = TestRandom(seed: 7)
        for count in [1, 2, 15, 16, 17, 33, 1000, 49_152] {
            let logits = (0..<count).map { _ in Float(Double(random.next() % 20_000) / 1000 - 10) }
            let lp = LogProbabilities(logits: logits)
            let reference = logSoftmax(logits)
            var total = 0.0
            for i in logits.indices {
                #expect(abs(lp.logprob(logits[i]) - reference[i]) < 1e-5, "n=\(count) i=\(i)")
                total += Foundation.exp(lp.logprob(logits[i]))
            }
            #expect(abs(total - 1) < 1e-5)
        }
    }

    @Test("top alternatives come most likely first, lower id first on ties")
    func topOrdering() {
        let logits: [Float] = [1, 3, 3, -1, 2, .nan, 3]
        let top = LogProbabilities(logits: logits).top(logits, count: 4)
        #expect(top.map(\.token) == [1, 2, 6, 4])
        #expect(top[0].logprob == top[1].logprob && top[0].logprob > top[3].logprob)
    }
}

@Suite(.enabled(if: GGUFReferenceFiles.hasModel, "reference model absent: run Deploy/setup.sh"))
struct GeneratorTests {
    @Test("the same seed gives the same tokens; greedy ignores the seed")
    func seededGenerationReplays() throws {
        _ = try withReference { model, tokenizer in
            let generator = Generator(model: model, tokenizer: tokenizer)
            let prompt = try chatPrompt(tokenizer, "Name three colours.")
            let hot = try SamplingParameters(temperature: 0.9, topK: 40, topP: 0.95, seed: 11, maxTokens: 24)
            let a = try generator.generate(prompt: prompt, parameters: hot, requestID: 5)
            let b = try generator.generate(prompt: prompt, parameters: hot, requestID: 5)
            #expect(a.tokens == b.tokens && a.text == b.text)
            let otherSeed = try SamplingParameters(temperature: 0.9, topK: 40, topP: 0.95, seed: 12, maxTokens: 24)
            #expect(try generator.generate(prompt: prompt, parameters: otherSeed, requestID: 5).tokens != a.tokens)
            let g1 = try generator.generate(prompt: prompt, parameters: SamplingParameters(seed: 1, maxTokens: 12),
                                            requestID: 1)
            let g2 = try generator.generate(prompt: prompt, parameters: SamplingParameters(seed: 2, maxTokens: 12),
                                            requestID: 9)
            #expect(g1.tokens == g2.tokens)
        }
    }

    @Test("max tokens ends with finish reason length; a stop sequence ends early and is cut from the text")
    func lengthAndStop() throws {
        _ = try withReference { model, tokenizer in
            let generator = Generator(model: model, tokenizer: tokenizer)
            let prompt = try chatPrompt(tokenizer, "What is the capital of France?")
            let full = try generator.generate(prompt: prompt, parameters: SamplingParameters(maxTokens: 20),
                                              requestID: 0)
            #expect(full.tokens.count == 20 && full.finishReason == .length)
            #expect(full.text == tokenizer.decode(full.tokens))
            let words = full.text.split(separator: " ")
            let stop = String(words[2])
            let stopped = try generator.generate(
                prompt: prompt, parameters: SamplingParameters(maxTokens: 20, stopSequences: [stop]), requestID: 0)
            #expect(stopped.finishReason == .stop)
            #expect(!stopped.text.contains(stop))
            #expect(full.text.hasPrefix(stopped.text))
            #expect(stopped.tokens.count < full.tokens.count)
        }
    }

    @Test("streamed pieces add up to the returned text")
    func streamedTextAddsUp() throws {
        _ = try withReference { model, tokenizer in
            var streamed = ""
            let result = try Generator(model: model, tokenizer: tokenizer).generate(
                prompt: try chatPrompt(tokenizer, "Write a haiku about GPUs."),
                parameters: SamplingParameters(maxTokens: 30), requestID: 0, topLogprobs: 3
            ) { token in
                streamed += token.text
                #expect(token.top.count == 3)
                #expect(token.top[0].logprob >= token.logprob)
                return true
            }
            #expect(streamed == result.text)
        }
    }

    @Test("a prompt that does not fit the context is a clear error")
    func tooLongPromptFails() throws {
        _ = try withReference { model, tokenizer in
            let prompt = [Int](repeating: 42, count: model.positionsMax)
            #expect(throws: InferenceError.self) {
                try Generator(model: model, tokenizer: tokenizer).generate(
                    prompt: prompt, parameters: SamplingParameters(maxTokens: 4), requestID: 0)
            }
        }
    }
}

@Suite(.enabled(if: GGUFReferenceFiles.hasModel, "reference model absent: run Deploy/setup.sh"))
struct ScorerTests {
    @Test("scoring a sampled output replays the sampler with no mismatch and reproduces its logprobs")
    func honestOutputReplays() throws {
        _ = try withReference { model, tokenizer in
            let prompt = try chatPrompt(tokenizer, "Explain proof of useful work in one sentence.")
            let parameters = try SamplingParameters(temperature: 0.8, topK: 20, topP: 0.9, seed: 99, maxTokens: 32)
            let generation = try Generator(model: model, tokenizer: tokenizer).generate(
                prompt: prompt, parameters: parameters, requestID: 3)
            let score = try Scorer(model: model).score(
                prompt: prompt, output: generation.tokens, topK: 5, sampling: (parameters, 3))
            #expect(score.positions.count == generation.tokens.count)
            #expect(score.replayMismatches.isEmpty)
            for (position, logprob) in zip(score.positions, generation.logprobs) {
                #expect(abs(position.logprob - logprob) < 1e-4)
                #expect(position.top.count == 5 && position.margin >= 0)
            }
        }
    }

    @Test("tokens not drawn by the seeded sampler are caught (the pre-fill attack)")
    func substitutedTokensAreCaught() throws {
        _ = try withReference { model, tokenizer in
            let prompt = try chatPrompt(tokenizer, "Name three colours.")
            let parameters = try SamplingParameters(temperature: 0.7, topK: 10, seed: 5, maxTokens: 24)
            let honest = try Generator(model: model, tokenizer: tokenizer).generate(
                prompt: prompt, parameters: parameters, requestID: 1)
            var forged = honest.tokens
            let swapped = 6
            forged[swapped] = forged[swapped] == 13 ? 14 : 13
            let score = try Scorer(model: model).score(
                prompt: prompt, output: forged, topK: 2, sampling: (parameters, 1))
            #expect(score.replayMismatches.first == swapped)
            #expect(score.positions[swapped].logprob < score.positions[swapped].top[0].logprob)
            let otherSeed = try Scorer(model: model).score(
                prompt: prompt, output: honest.tokens, topK: 2,
                sampling: (try SamplingParameters(temperature: 0.7, topK: 10, seed: 6, maxTokens: 24), 1))
            #expect(!otherSeed.replayMismatches.isEmpty)
        }
    }

    @Test("empty input and out-of-range ids are errors")
    func badInputIsRejected() throws {
        _ = try withReference { model, _ in
            let scorer = Scorer(model: model)
            #expect(throws: InferenceError.emptyInput) { try scorer.score(prompt: [], output: [1], topK: 1) }
            #expect(throws: InferenceError.self) { try scorer.score(prompt: [1], output: [1 << 30], topK: 1) }
        }
    }
}
