import Foundation
import PoUWInference
import Testing

/// Agreement with llama.cpp. Both engines quantize activations to 8 bits, and that noise is chaotic:
/// llama.cpp itself, run on the oracle's inputs with only its KV cache switched from F16 to F32,
/// differs from the oracle by 0.117 nats on average and 1.62 at worst over the same top-5 logprobs,
/// and disagrees on the argmax at margins up to 0.20 (0.109 / 0.75 / 0.17 with flash attention). The
/// bounds below are set from those measurements, not tighter: no engine that is not bit-identical to
/// llama.cpp's default configuration can do better than its own configuration variants.
@Suite(.serialized) struct ForwardOracleTests {
    static let available = GGUFReferenceFiles.hasModelAndOracle
    /// Oracle margin above which the argmax must agree.
    static let marginSure = 0.5
    static let meanDifferenceMax = 0.15
    static let worstDifferenceMax = 2.0

    @Test("teacher-forced logprobs match llama.cpp within its own configuration spread",
          .enabled(if: available, "needs the reference model and the llama.cpp oracle"))
    func teacherForced() throws {
        let oracle = try #require(ForwardOracle.loaded)
        var differences: [Double] = []
        var disagreements: [String] = []
        var unsure = 0
        try ReferenceModels.with(threads: 2) { model in
            for (c, item) in oracle.cases.enumerated() {
                let cache = try model.makeCache(capacity: item.prompt_ids.count + item.generated_ids.count)
                let logits = try model.scoreAll(item.prompt_ids + item.generated_ids, cache: cache)
                for (i, step) in item.steps.enumerated() {
                    let position = item.prompt_ids.count - 1 + i
                    let ours = logSoftmax(logits[position])
                    for pair in step.top5 { differences.append(abs(ours[Int(pair[0])] - pair[1])) }
                    let top = argmax(logits[position])
                    if top != Int(step.top5[0][0]) && step.margin > 0.1 { unsure += 1 }
                    if top != Int(step.top5[0][0]) && step.margin > Self.marginSure {
                        disagreements.append("case \(c) step \(i): ours \(top), llama.cpp \(Int(step.top5[0][0]))")
                    }
                }
            }
        }
        let mean = differences.reduce(0, +) / Double(differences.count)
        let worst = differences.max() ?? 0
        print("teacher-forced top-5 |Δ logprob| vs llama.cpp: mean \(mean), max \(worst) over \(differences.count);"
              + " argmax differs at \(unsure) steps with margin > 0.1")
        #expect(disagreements.isEmpty, "\(disagreements)")
        #expect(mean <= Self.meanDifferenceMax)
        #expect(worst <= Self.worstDifferenceMax)
    }

    @Test("greedy generation follows llama.cpp's tokens until a step where llama.cpp itself was unsure",
          .enabled(if: available, "needs the reference model and the llama.cpp oracle"))
    func greedyGeneration() throws {
        let oracle = try #require(ForwardOracle.loaded)
        var compared = 0
        var divergences: [String] = []
        try ReferenceModels.with(threads: 2) { model in
            for (c, item) in oracle.cases.enumerated() {
                let cache = try model.makeCache(capacity: item.prompt_ids.count + item.generated_ids.count)
                var logits = try model.prefill(item.prompt_ids, cache: cache)
                for (i, expected) in item.generated_ids.enumerated() {
                    let token = argmax(logits)
                    if token != expected {
                        // Diverging is legitimate only where llama.cpp's own margin is within the noise.
                        #expect(item.steps[i].margin <= Self.marginSure, "case \(c) step \(i): \(token) vs \(expected)")
                        divergences.append("case \(c) step \(i) (margin \(item.steps[i].margin))")
                        break
                    }
                    compared += 1
                    if i + 1 < item.generated_ids.count { logits = try model.prefill([token], cache: cache) }
                }
            }
        }
        let total = oracle.cases.map(\.generated_ids.count).reduce(0, +)
        print("greedy: \(compared) of \(total) tokens equal to llama.cpp's;"
              + " diverged at \(divergences)")
    }
}
