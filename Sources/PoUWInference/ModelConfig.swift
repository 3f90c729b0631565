/// Hyperparameters of a llama-family model, read from GGUF metadata (llama2.c's `Config`).
public struct ModelConfig: Sendable, Equatable {
    /// Width of the residual stream (`llama.embedding_length`).
    public let embeddingLength: Int
    /// Hidden width of the SwiGLU feed-forward block (`llama.feed_forward_length`).
    public let feedForwardLength: Int
    /// Transformer blocks (`llama.block_count`).
    public let layerCount: Int
    /// Query heads (`llama.attention.head_count`).
    public let headCount: Int
    /// Key/value heads (`llama.attention.head_count_kv`); query head h uses KV head h / (heads / kvHeads).
    public let kvHeadCount: Int
    /// Elements per head: embeddingLength / headCount.
    public let headSize: Int
    /// Tokens in the vocabulary (rows of `token_embd`).
    public let vocabularySize: Int
    /// Longest sequence the model was trained for (`llama.context_length`).
    public let contextLength: Int
    /// RoPE base θ (`llama.rope.freq_base`, default 10000).
    public let ropeBase: Float
    /// Rotated elements per head (`llama.rope.dimension_count`, default headSize).
    public let ropeDimensions: Int
    /// RMSNorm ε (`llama.attention.layer_norm_rms_epsilon`).
    public let rmsEpsilon: Float

    /// Width of one position's keys (or values): kvHeadCount · headSize.
    public var kvLength: Int { kvHeadCount * headSize }
    /// Query heads per KV head.
    public var headsPerKVHead: Int { headCount / kvHeadCount }

    public init(embeddingLength: Int, feedForwardLength: Int, layerCount: Int, headCount: Int, kvHeadCount: Int,
                vocabularySize: Int, contextLength: Int, ropeBase: Float, ropeDimensions: Int? = nil,
                rmsEpsilon: Float) throws(ModelError) {
        guard embeddingLength > 0, feedForwardLength > 0, layerCount > 0, headCount > 0, kvHeadCount > 0,
              vocabularySize > 0, contextLength > 0 else {
            throw .invalidConfig("every dimension must be positive")
        }
        guard embeddingLength % headCount == 0 else {
            throw .invalidConfig("embedding length \(embeddingLength) is not a multiple of \(headCount) heads")
        }
        guard headCount % kvHeadCount == 0 else {
            throw .invalidConfig("\(headCount) heads cannot share \(kvHeadCount) KV heads evenly")
        }
        guard embeddingLength % 32 == 0, feedForwardLength % 32 == 0 else {
            throw .invalidConfig("embedding and feed-forward lengths must be multiples of 32 (quantization blocks)")
        }
        let headSize = embeddingLength / headCount
        let rope = ropeDimensions ?? headSize
        guard rope > 0, rope % 2 == 0, rope <= headSize else {
            throw .invalidConfig("RoPE dimension count \(rope) must be even and at most the head size \(headSize)")
        }
        guard ropeBase > 1, rmsEpsilon > 0 else { throw .invalidConfig("RoPE base must exceed 1 and ε be positive") }
        self.embeddingLength = embeddingLength
        self.feedForwardLength = feedForwardLength
        self.layerCount = layerCount
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        self.headSize = headSize
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.ropeBase = ropeBase
        self.ropeDimensions = rope
        self.rmsEpsilon = rmsEpsilon
    }

    /// Reads the `llama.*` keys of `file`; the vocabulary size comes from `token_embd.weight`.
    public init(gguf file: GGUFFile) throws(ModelError) {
        let architecture = file.metadata["general.architecture"]?.string ?? ""
        guard architecture == "llama" else { throw .unsupportedArchitecture(architecture) }
        func integer(_ key: String) throws(ModelError) -> Int {
            guard let value = file.metadata["llama." + key]?.int else { throw .missingMetadata(key: "llama." + key) }
            return value
        }
        guard let embedding = file.tensor(named: "token_embd.weight"), embedding.dimensions.count == 2 else {
            throw .missingTensor("token_embd.weight")
        }
        let epsilonKey = "llama.attention.layer_norm_rms_epsilon"
        guard let epsilon = file.metadata[epsilonKey]?.float else { throw .missingMetadata(key: epsilonKey) }
        let headCount = try integer("attention.head_count")
        try self.init(
            embeddingLength: try integer("embedding_length"),
            feedForwardLength: try integer("feed_forward_length"),
            layerCount: try integer("block_count"),
            headCount: headCount,
            kvHeadCount: file.metadata["llama.attention.head_count_kv"]?.int ?? headCount,
            vocabularySize: embedding.dimensions[1],
            contextLength: try integer("context_length"),
            ropeBase: Float(file.metadata["llama.rope.freq_base"]?.float ?? 10_000),
            ropeDimensions: file.metadata["llama.rope.dimension_count"]?.int,
            rmsEpsilon: Float(epsilon))
    }
}
