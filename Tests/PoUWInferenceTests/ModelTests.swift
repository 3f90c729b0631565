import PoUWInference
import PoUWKernels
import Testing

@Suite struct ModelConfigTests {
    @Test("the reference model's hyperparameters are read from its metadata",
          .enabled(if: GGUFReferenceFiles.hasModel, "needs the reference model"))
    func referenceConfig() throws {
        let config = try ModelConfig(gguf: try #require(GGUFReferenceFiles.model).file)
        #expect(config.embeddingLength == 576 && config.feedForwardLength == 1536 && config.layerCount == 30)
        #expect(config.headCount == 9 && config.kvHeadCount == 3 && config.headSize == 64)
        #expect(config.vocabularySize == 49_152 && config.contextLength == 8192)
        #expect(config.ropeBase == 100_000 && config.ropeDimensions == 64 && config.rmsEpsilon == Float(1e-5))
    }

    @Test("inconsistent hyperparameters are rejected with a reason")
    func rejectsInconsistentConfig() {
        #expect(throws: ModelError.self) {
            try ModelConfig(embeddingLength: 64, feedForwardLength: 96, layerCount: 1, headCount: 5, kvHeadCount: 5,
                            vocabularySize: 10, contextLength: 16, ropeBase: 10_000, rmsEpsilon: 1e-5)
        }
        #expect(throws: ModelError.self) {
            try ModelConfig(embeddingLength: 64, feedForwardLength: 96, layerCount: 1, headCount: 4, kvHeadCount: 3,
                            vocabularySize: 10, contextLength: 16, ropeBase: 10_000, rmsEpsilon: 1e-5)
        }
    }
}

@Suite struct ModelWeightsTests {
    @Test("the reference model's output projection is tied to the Q8_0 token embeddings",
          .enabled(if: GGUFReferenceFiles.hasModel, "needs the reference model"))
    func tiedOutput() throws {
        let file = try #require(GGUFReferenceFiles.model).file
        let weights = try ModelWeights(file: file, config: try ModelConfig(gguf: file))
        #expect(weights.isOutputTied && weights.output.base == weights.tokenEmbedding.base)
        #expect(weights.tokenEmbedding.format == .q8_0 && weights.layers[0].query.format == .q4_1)
        #expect(weights.layers.count == 30)
    }

    @Test("a file without a llama tensor is refused naming the tensor")
    func missingTensor() throws {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        #expect(throws: ModelError.missingTensor("token_embd.weight")) {
            try InferenceModel(file: try GGUFFile(bytes: writer.encoded()), threads: 1)
        }
    }
}

@Suite struct InferenceModelTests {
    @Test("a sequence longer than its cache is refused and leaves the cache unchanged")
    func sequenceTooLong() throws {
        let model = try InferenceModel(file: SyntheticModel.file(), threads: 1)
        let cache = try model.makeCache(capacity: 4)
        _ = try model.prefill([1, 2, 3], cache: cache)
        #expect(throws: InferenceError.sequenceTooLong(capacity: 4, needed: 5)) {
            try model.prefill([4, 5], cache: cache)
        }
        #expect(cache.count == 3)
        #expect(throws: InferenceError.tokenOutOfRange(token: 40, vocabularySize: 40)) {
            try model.prefill([40], cache: cache)
        }
        #expect(throws: InferenceError.cacheTooLarge(requested: 129, maximum: 128)) {
            try model.makeCache(capacity: 129)
        }
    }

    @Test("truncating a cache and replaying gives the same logits")
    func truncateAndReplay() throws {
        let model = try InferenceModel(file: SyntheticModel.file(), threads: 2)
        let cache = try model.makeCache(capacity: 16)
        let first = try model.prefill([3, 4, 5, 6], cache: cache)
        cache.truncate(to: 2)
        #expect(bits(try model.prefill([5, 6], cache: cache)) == bits(first))
    }
}
