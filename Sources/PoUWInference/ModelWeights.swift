public import PoUWKernels

/// One transformer block's weights: views into the GGUF mapping (no copies).
public struct LayerWeights: @unchecked Sendable {
    /// RMSNorm weight before attention, [embeddingLength].
    public let attentionNorm: UnsafePointer<Float>
    /// Query projection, [headCount·headSize rows × embeddingLength].
    public let query: WeightMatrix
    /// Key projection, [kvLength × embeddingLength].
    public let key: WeightMatrix
    /// Value projection, [kvLength × embeddingLength].
    public let value: WeightMatrix
    /// Attention output projection, [embeddingLength × embeddingLength].
    public let output: WeightMatrix
    /// RMSNorm weight before the feed-forward block, [embeddingLength].
    public let feedForwardNorm: UnsafePointer<Float>
    /// SwiGLU gate, [feedForwardLength × embeddingLength].
    public let gate: WeightMatrix
    /// SwiGLU up projection, [feedForwardLength × embeddingLength].
    public let up: WeightMatrix
    /// Down projection, [embeddingLength × feedForwardLength].
    public let down: WeightMatrix
}

/// All weights of a model as views into its memory-mapped GGUF file (llama2.c's
/// `TransformerWeights`). Keeps the file alive. Tensor names follow llama.cpp (`blk.N.attn_q.weight`).
public final class ModelWeights: @unchecked Sendable {
    public let file: GGUFFile
    /// Token embeddings, [vocabularySize × embeddingLength].
    public let tokenEmbedding: WeightMatrix
    public let layers: [LayerWeights]
    /// Final RMSNorm weight, [embeddingLength].
    public let outputNorm: UnsafePointer<Float>
    /// Logit projection, [vocabularySize × embeddingLength]; `tokenEmbedding` when tied (no `output.weight`).
    public let output: WeightMatrix
    /// Whether the logit projection reuses the token embeddings.
    public let isOutputTied: Bool

    public init(file: GGUFFile, config: ModelConfig) throws(ModelError) {
        BlockLayouts.check()
        self.file = file
        let dim = config.embeddingLength
        tokenEmbedding = try Self.matrix(file, "token_embd.weight", rows: config.vocabularySize, columns: dim)
        var layers: [LayerWeights] = []
        for l in 0..<config.layerCount {
            layers.append(try Self.layer(file, l, config))
        }
        self.layers = layers
        outputNorm = try Self.vector(file, "output_norm.weight", count: dim)
        if file.tensor(named: "output.weight") != nil {
            output = try Self.matrix(file, "output.weight", rows: config.vocabularySize, columns: dim)
            isOutputTied = false
        } else {
            output = tokenEmbedding
            isOutputTied = true
        }
    }

    static func layer(_ file: GGUFFile, _ l: Int, _ config: ModelConfig) throws(ModelError) -> LayerWeights {
        let p = "blk.\(l)."
        let dim = config.embeddingLength, ffn = config.feedForwardLength
        return LayerWeights(
            attentionNorm: try vector(file, p + "attn_norm.weight", count: dim),
            query: try matrix(file, p + "attn_q.weight", rows: config.headCount * config.headSize, columns: dim),
            key: try matrix(file, p + "attn_k.weight", rows: config.kvLength, columns: dim),
            value: try matrix(file, p + "attn_v.weight", rows: config.kvLength, columns: dim),
            output: try matrix(file, p + "attn_output.weight", rows: dim, columns: dim),
            feedForwardNorm: try vector(file, p + "ffn_norm.weight", count: dim),
            gate: try matrix(file, p + "ffn_gate.weight", rows: ffn, columns: dim),
            up: try matrix(file, p + "ffn_up.weight", rows: ffn, columns: dim),
            down: try matrix(file, p + "ffn_down.weight", rows: dim, columns: ffn))
    }

    /// A [rows × columns] matrix tensor (GGUF dimensions [columns, rows]).
    static func matrix(_ file: GGUFFile, _ name: String, rows: Int, columns: Int) throws(ModelError) -> WeightMatrix {
        guard let info = file.tensor(named: name) else { throw .missingTensor(name) }
        guard info.dimensions == [columns, rows] else {
            throw .tensorShape(tensor: name, expected: [columns, rows], actual: info.dimensions)
        }
        let format: WeightFormat
        switch info.type {
        case .f32: format = .f32
        case .f16: format = .f16
        case .q4_0: format = .q4_0
        case .q4_1: format = .q4_1
        case .q8_0: format = .q8_0
        default: throw .unsupportedTensorType(tensor: name, type: "\(info.type)")
        }
        let bytes = file.bytes(of: info)
        let matrix = WeightMatrix(format: format, rows: rows, columns: columns, base: bytes.baseAddress!)
        precondition(matrix.byteCount == bytes.count, "tensor \(name) byte count disagrees with its shape")
        return matrix
    }

    /// An F32 vector tensor of `count` elements.
    static func vector(_ file: GGUFFile, _ name: String, count: Int) throws(ModelError) -> UnsafePointer<Float> {
        guard let info = file.tensor(named: name) else { throw .missingTensor(name) }
        guard info.dimensions == [count] else {
            throw .tensorShape(tensor: name, expected: [count], actual: info.dimensions)
        }
        guard info.type == .f32 else { throw .unsupportedTensorType(tensor: name, type: "\(info.type)") }
        return file.bytes(of: info).baseAddress!.assumingMemoryBound(to: Float.self)
    }
}
