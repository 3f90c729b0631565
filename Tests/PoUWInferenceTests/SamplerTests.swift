import Foundation
import PoUWInference
import Testing

@Suite struct SamplerTests {
    static func randomLogits(_ count: Int, seed: UInt64, spread: Float = 4) -> [Float] {
        var random = TestRandom(seed: seed)
        return (0..<count).map { _ in Float(random.next() % 1_000_000) / 1_000_000 * spread - spread / 2 }
    }

    static func parameters(
        temperature: Float = 1, topK: Int = 0, topP: Float = 1, seed: UInt64 = 7
    ) throws -> SamplingParameters {
        try SamplingParameters(temperature: temperature, topK: topK, topP: topP, seed: seed)
    }

    @Test("greedy picks the argmax, and the lower id among equal maxima")
    func greedyPicksArgmax() throws {
        let sampler = Sampler(parameters: .greedy, requestID: 1)
        for seed in 0..<50 as Range<UInt64> {
            let logits = Self.randomLogits(1000, seed: seed)
            let maximum = try #require(logits.max())
            let result = sampler.sample(logits: logits, position: Int(seed))
            #expect(result.token == logits.firstIndex(of: maximum))
            #expect(result.candidates == [SampleCandidate(token: result.token, weight: Sampler.weightTotal)])
        }
        #expect(sampler.sample(logits: [1, 3, 2, 3, 3], position: 0).token == 1)
        #expect(sampler.sample(logits: [.nan, -1, .infinity, 5], position: 0).token == 2)
        #expect(sampler.sample(logits: [-.infinity, -.infinity], position: 0).token == 0)
    }

    @Test("the same seed and request id give the same tokens; another seed or request id gives others")
    func seedDeterminism() throws {
        let logits = Self.randomLogits(500, seed: 99, spread: 2)
        func run(seed: UInt64, requestID: UInt64) throws -> [Int] {
            let sampler = Sampler(parameters: try Self.parameters(temperature: 1, seed: seed), requestID: requestID)
            return (0..<100).map { sampler.sample(logits: logits, position: $0).token }
        }
        let first = try run(seed: 42, requestID: 5)
        #expect(try run(seed: 42, requestID: 5) == first)
        #expect(try run(seed: 43, requestID: 5) != first)
        #expect(try run(seed: 42, requestID: 6) != first)
        #expect(Set(first).count > 10)
    }

    @Test("top-k 1 equals greedy at any temperature and seed")
    func topKOneIsGreedy() throws {
        for seed in 0..<40 as Range<UInt64> {
            let logits = Self.randomLogits(300, seed: seed &+ 1000)
            let parameters = try Self.parameters(temperature: 1.5, topK: 1, seed: seed)
            let sampled = Sampler(parameters: parameters, requestID: seed).sample(logits: logits, position: 3)
            let greedy = Sampler(parameters: .greedy, requestID: seed).sample(logits: logits, position: 3)
            #expect(sampled.token == greedy.token)
            #expect(sampled.candidates.count == 1)
        }
    }

    @Test("a tiny top-p keeps only the most likely token")
    func tinyTopPKeepsTopToken() throws {
        for seed in 0..<40 as Range<UInt64> {
            let logits = Self.randomLogits(300, seed: seed &+ 2000)
            let result = Sampler(parameters: try Self.parameters(topP: 0.001, seed: seed), requestID: 0)
                .sample(logits: logits, position: Int(seed))
            #expect(result.candidates.map(\.token) == [logits.indices.max { logits[$0] < logits[$1] }])
        }
    }

    @Test("top-k and top-p bound the kept set; weights sum to 65536 in token id order")
    func keptSetShape() throws {
        let logits = Self.randomLogits(5000, seed: 3, spread: 1)
        for (topK, topP, bound) in [(0, Float(1), Sampler.candidatesMax), (10, 1, 10), (100, 1, 64), (0, 0.5, 64)] {
            let result = Sampler(parameters: try Self.parameters(topK: topK, topP: topP), requestID: 9)
                .sample(logits: logits, position: 0)
            #expect(result.candidates.count <= bound && !result.candidates.isEmpty)
            #expect(result.candidates.reduce(0) { $0 + $1.weight } == Sampler.weightTotal)
            #expect(zip(result.candidates, result.candidates.dropFirst()).allSatisfy { $0.token < $1.token })
            #expect(result.candidates.contains { $0.token == result.token })
        }
        let half = Sampler(parameters: try Self.parameters(topP: 0.5), requestID: 9)
            .sample(logits: logits, position: 0)
        let full = Sampler(parameters: try Self.parameters(topP: 1), requestID: 9)
            .sample(logits: logits, position: 0)
        #expect(half.candidates.count < full.candidates.count)
    }

    @Test("softmax weights follow exp exactly enough: logits 0 and -ln 2 weigh 2:1")
    func quantizedWeights() throws {
        let result = Sampler(parameters: try Self.parameters(), requestID: 0)
            .sample(logits: [0, -Float(M_LN2)], position: 0)
        // 65536 * 2/3 = 43690.67 and 65536 / 3 = 21845.33: floors 43690 and 21845, remainder 1 to the first.
        #expect(result.candidates == [
            SampleCandidate(token: 0, weight: 43691), SampleCandidate(token: 1, weight: 21845),
        ])
        let hot = Sampler(parameters: try Self.parameters(temperature: 2), requestID: 0)
            .sample(logits: [0, -2 * Float(M_LN2)], position: 0)
        #expect(hot.candidates.map(\.weight) == [43691, 21845])
    }

    @Test("kept-set weights agree with a libm softmax to within one unit of 1/65536")
    func weightsMatchReferenceSoftmax() throws {
        for seed in 0..<20 as Range<UInt64> {
            let logits = Self.randomLogits(64, seed: seed &+ 500, spread: 12)
            let temperature: Float = 0.7
            let result = Sampler(parameters: try Self.parameters(temperature: temperature, topK: 64), requestID: 1)
                .sample(logits: logits, position: 0)
            let maximum = Double(try #require(logits.max()))
            let exps = logits.map { Foundation.exp((Double($0) - maximum) / Double(temperature)) }
            let sum = exps.reduce(0, +)
            let top = try #require(logits.indices.max { logits[$0] < logits[$1] })
            for candidate in result.candidates where candidate.token != top {
                let expected = exps[candidate.token] / sum * 65536
                #expect(abs(Double(candidate.weight) - expected) <= 1, "token \(candidate.token)")
            }
            let keptTokens = Set(result.candidates.map(\.token))
            for token in logits.indices where !keptTokens.contains(token) {
                #expect(exps[token] / sum * 65536 < 1.000001)
            }
        }
    }

    @Test("20,000 draws from a fixed seed follow the softmax of a small logit vector")
    func distribution() throws {
        let probabilities = [0.1, 0.2, 0.3, 0.4]
        let logits = probabilities.map { Float(log($0)) }
        let sampler = Sampler(parameters: try Self.parameters(seed: 0xD15_7B1B), requestID: 77)
        var counts = [0, 0, 0, 0]
        let draws = 20_000
        for position in 0..<draws { counts[sampler.sample(logits: logits, position: position).token] += 1 }
        for (count, probability) in zip(counts, probabilities) {
            let mean = Double(draws) * probability
            let sigma = (mean * (1 - probability)).squareRoot()
            #expect(abs(Double(count) - mean) < 5 * sigma, "count \(count) for p = \(probability)")
        }
        var uniform = Array(repeating: 0, count: 10)
        for position in 0..<draws { uniform[Int(sampler.random.draw(position: position) * 10)] += 1 }
        #expect(uniform.allSatisfy { abs($0 - 2000) < 5 * 42 }, "draw deciles \(uniform)")
    }

    @Test("a result replays from its seed, request id and kept set; tampering is detected")
    func replay() throws {
        let logits = Self.randomLogits(2000, seed: 11, spread: 3)
        let parameters = try Self.parameters(temperature: 0.8, topK: 40, topP: 0.95, seed: 1234)
        let sampler = Sampler(parameters: parameters, requestID: 555)
        for position in 0..<200 {
            let result = sampler.sample(logits: logits, position: position)
            #expect(sampler.replay(result))
            let again = Sampler(parameters: parameters, requestID: 555).sample(logits: logits, position: position)
            #expect(again == result)
            #expect(!Sampler(parameters: parameters, requestID: 556).replay(result))
            let other = result.candidates.first { $0.token != result.token }
            if let other {
                let forged = SampleResult(
                    token: other.token, position: position, draw: result.draw, threshold: result.threshold,
                    candidates: result.candidates)
                #expect(!sampler.replay(forged))
            }
        }
    }

    @Test("malformed kept sets are rejected by choose")
    func chooseRejectsMalformedSets() {
        let good = [SampleCandidate(token: 3, weight: 30000), SampleCandidate(token: 9, weight: 35536)]
        #expect(Sampler.choose(good, threshold: 0) == 3)
        #expect(Sampler.choose(good, threshold: 29999) == 3)
        #expect(Sampler.choose(good, threshold: 30000) == 9)
        #expect(Sampler.choose(good, threshold: 65535) == 9)
        #expect(Sampler.choose(good, threshold: 65536) == nil)
        #expect(Sampler.choose([], threshold: 0) == nil)
        #expect(Sampler.choose(good.reversed(), threshold: 0) == nil)
        #expect(Sampler.choose([SampleCandidate(token: 1, weight: 65535)], threshold: 0) == nil)
        #expect(Sampler.choose([SampleCandidate(token: 1, weight: .max), SampleCandidate(token: 2, weight: 2)],
                               threshold: 0) == nil)
    }

    @Test("draws are 53-bit uniform values that depend on seed, request id and position")
    func draws() {
        let random = SamplerRandom(seed: 1, requestID: 2)
        let values = (0..<1000).map { random.draw(position: $0) }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(Set(values).count == 1000)
        #expect(random.draw(position: 5) == Double(random.bits53(position: 5)) / 9_007_199_254_740_992)
        #expect(SamplerRandom(seed: 1, requestID: 3).draw(position: 0) != values[0])
        #expect(SamplerRandom(seed: 2, requestID: 2).draw(position: 0) != values[0])
    }

    @Test("parameters out of range are rejected with the parameter's name")
    func parameterValidation() {
        #expect(throws: SamplingError.self) { try SamplingParameters(temperature: -1) }
        #expect(throws: SamplingError.self) { try SamplingParameters(temperature: .nan) }
        #expect(throws: SamplingError.self) { try SamplingParameters(topK: -1) }
        #expect(throws: SamplingError.self) { try SamplingParameters(topP: 0) }
        #expect(throws: SamplingError.self) { try SamplingParameters(topP: 1.5) }
        #expect(throws: SamplingError.self) { try SamplingParameters(maxTokens: 0) }
        #expect(throws: SamplingError.self) { try SamplingParameters(stopSequences: [""]) }
        #expect(throws: SamplingError.self) { try SamplingParameters(stopSequences: ["a", "b", "c", "d", "e"]) }
        #expect(String(describing: SamplingError.invalidParameter(name: "topP", reason: "x")).contains("topP"))
        #expect(SamplingParameters.greedy.isGreedy)
    }
}
