import PoUWInference
import Testing

/// Bit-identical logits however the work is spread: over runs, thread counts, batch compositions and
/// prompt chunking. Runs on a synthetic model always, and on the reference model when present.
@Suite struct DeterminismTests {
    static let prompt = [1, 7, 19, 3, 33, 12, 5, 28, 9, 14, 2, 37, 21]

    /// Prefill `prompt`, then 3 greedy decode steps; all logits.
    static func trace(_ model: InferenceModel, _ prompt: [Int]) throws -> [[Float]] {
        let cache = try model.makeCache(capacity: prompt.count + 3)
        var logits = [try model.prefill(prompt, cache: cache)]
        for _ in 0..<3 { logits.append(try model.prefill([argmax(logits.last!)], cache: cache)) }
        // Guard against vacuous comparisons: NaN or constant logits would compare equal trivially.
        #expect(logits.allSatisfy { row in row.allSatisfy(\.isFinite) && row.min()! < row.max()! })
        return logits
    }

    @Test("synthetic model: logits are bit-identical across runs and for 1, 2 and 8 threads")
    func syntheticThreadInvariance() throws {
        let file = SyntheticModel.file()
        let single = try InferenceModel(file: file, threads: 1)
        let first = try Self.trace(single, Self.prompt)
        #expect(try Self.trace(single, Self.prompt).map(bits) == first.map(bits))
        for threads in [2, 8] {
            let model = try InferenceModel(file: file, threads: threads)
            #expect(try Self.trace(model, Self.prompt).map(bits) == first.map(bits), "\(threads) threads")
        }
    }

    @Test("synthetic model: a prompt in one batch, in chunks, or token by token gives the same logits")
    func syntheticChunkingInvariance() throws {
        let file = SyntheticModel.file()
        let whole = try InferenceModel(file: file, threads: 2)
        let chunked = try InferenceModel(file: file, threads: 2, batchRowsMax: 4)
        let wholeCache = try whole.makeCache(capacity: 32), chunkedCache = try chunked.makeCache(capacity: 32)
        let all = try whole.scoreAll(Self.prompt, cache: wholeCache)
        #expect(try chunked.scoreAll(Self.prompt, cache: chunkedCache).map(bits) == all.map(bits))
        let stepCache = try whole.makeCache(capacity: 32)
        for (i, token) in Self.prompt.enumerated() {
            #expect(bits(try whole.prefill([token], cache: stepCache)) == bits(all[i]), "position \(i)")
        }
    }

    @Test("synthetic model: batched decode of several sequences equals decoding each alone")
    func syntheticBatchInvariance() throws {
        let model = try InferenceModel(file: SyntheticModel.file(), threads: 2)
        try Self.expectBatchInvariance(model, prompts: [[1, 2, 3], [4, 5, 6, 7, 8], [9], [10, 11]],
                                       tokens: [12, 13, 14])
    }

    @Test("reference model: logits are bit-identical across runs and for 1, 2 and 8 threads",
          .enabled(if: GGUFReferenceFiles.hasModel, "needs the reference model"))
    func referenceThreadInvariance() throws {
        let prompt = [1, 9690, 198, 2683, 359, 253, 5356, 5646, 11173, 3365, 3511, 308, 34519, 28, 7018, 411]
        let first = try ReferenceModels.with(threads: 1) { try Self.trace($0, prompt) }!
        #expect(try ReferenceModels.with(threads: 1) { try Self.trace($0, prompt) }!.map(bits) == first.map(bits))
        for threads in [2, 8] {
            let logits = try ReferenceModels.with(threads: threads) { try Self.trace($0, prompt) }!
            #expect(logits.map(bits) == first.map(bits), "\(threads) threads")
        }
    }

    @Test("reference model: batched decode of 4 sequences equals decoding each alone",
          .enabled(if: GGUFReferenceFiles.hasModel, "needs the reference model"))
    func referenceBatchInvariance() throws {
        try ReferenceModels.with(threads: 2) { model in
            try Self.expectBatchInvariance(model, prompts: [[1, 9690, 198], [1, 4093, 198, 19556], [504, 3056],
                                                            [1, 2, 3, 4, 5, 6]],
                                           tokens: [28, 260, 1146])
        }
    }

    /// Prefills each prompt twice (one cache for the batch, one alone), then decodes `tokens` step by
    /// step, batched and alone, comparing bits at every step.
    static func expectBatchInvariance(_ model: InferenceModel, prompts: [[Int]], tokens: [Int]) throws {
        let capacity = prompts.map(\.count).max()! + tokens.count
        let batched = try prompts.map { _ in try model.makeCache(capacity: capacity) }
        let alone = try prompts.map { _ in try model.makeCache(capacity: capacity) }
        for (i, prompt) in prompts.enumerated() {
            _ = try model.prefill(prompt, cache: batched[i])
            _ = try model.prefill(prompt, cache: alone[i])
        }
        for token in tokens {
            let together = try model.decode(Array(repeating: token, count: prompts.count), caches: batched)
            for i in prompts.indices {
                #expect(bits(try model.prefill([token], cache: alone[i])) == bits(together[i]), "sequence \(i)")
            }
        }
    }
}
