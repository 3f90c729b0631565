import PoUWKernels

/// Activation buffers for one batch of up to `rowsMax` rows (one row = one token of one sequence),
/// allocated once per model (llama2.c's `RunState`); the forward pass allocates nothing else of size.
/// Shapes are [rows][width], rows `width` floats apart.
final class ForwardState {
    let rowsMax: Int
    /// Residual stream x, [rows][embeddingLength].
    let residual: FloatBuffer
    /// RMSNorm output, [rows][embeddingLength].
    let normed: FloatBuffer
    /// Queries, [rows][headCount·headSize].
    let query: FloatBuffer
    /// New keys and values, [rows][kvLength].
    let key: FloatBuffer
    let value: FloatBuffer
    /// Attention output before its projection, [rows][embeddingLength].
    let attention: FloatBuffer
    /// Output of the attention or down projection, [rows][embeddingLength].
    let projected: FloatBuffer
    /// SwiGLU gate and up projections, [rows][feedForwardLength].
    let gate: FloatBuffer
    let up: FloatBuffer
    /// Logits, [rows][vocabularySize].
    let logits: FloatBuffer
    /// Quantized inputs of the embedding-wide and hidden-wide products.
    let activations: Q8Activations
    let hiddenActivations: Q8Activations

    init(config: ModelConfig, rowsMax: Int) {
        self.rowsMax = rowsMax
        let dim = config.embeddingLength
        residual = FloatBuffer(rowsMax * dim)
        normed = FloatBuffer(rowsMax * dim)
        query = FloatBuffer(rowsMax * config.headCount * config.headSize)
        key = FloatBuffer(rowsMax * config.kvLength)
        value = FloatBuffer(rowsMax * config.kvLength)
        attention = FloatBuffer(rowsMax * dim)
        projected = FloatBuffer(rowsMax * dim)
        gate = FloatBuffer(rowsMax * config.feedForwardLength)
        up = FloatBuffer(rowsMax * config.feedForwardLength)
        logits = FloatBuffer(rowsMax * config.vocabularySize)
        activations = Q8Activations(columns: dim, rowsMax: rowsMax)
        hiddenActivations = Q8Activations(columns: config.feedForwardLength, rowsMax: rowsMax)
    }
}

/// A heap buffer of floats freed with its owner.
final class FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(_ count: Int) {
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
        self.count = count
    }

    deinit { pointer.deallocate() }
}
