import PoUWKernels

/// One row of a forward batch: `token` at `position` of the sequence whose cache is `cache`.
struct BatchRow {
    let cache: KVCache
    let position: Int
    let token: Int
}

/// The llama forward pass over a batch of rows (tokens of one sequence during prefill, or one token
/// of each of several sequences during decode): embedding → per layer [RMSNorm → Q/K/V → RoPE →
/// cache → attention (GQA) → output projection → residual → RMSNorm → SwiGLU → down → residual]
/// → final RMSNorm → logits. Every kernel computes each output element in one piece of work and the
/// same way for any batch, so a row's logits depend only on its own sequence — not on the batch it
/// shares, nor on the thread count.
extension InferenceModel {
    /// Smallest chunk of an element-wise parallel loop (SwiGLU), in elements.
    static let elementwiseChunkMin = 4096
    /// Below this many attended positions in a batch, attention runs on the calling thread.
    static let attentionInlinePositionsMax = 256

    /// Runs `rows` through the model; their keys and values are written to their caches. Logits are
    /// computed for `logitRows` (indices into `rows`) into `state.logits` row by row, in that order.
    func forward(_ rows: [BatchRow], logitRows: [Int]) {
        precondition(!rows.isEmpty && rows.count <= state.rowsMax)
        let dim = config.embeddingLength
        for (r, row) in rows.enumerated() {
            weights.tokenEmbedding.dequantizeRow(row.token, into: state.residual.pointer + r * dim)
        }
        for l in 0..<config.layerCount {
            attentionBlock(rows, layer: l)
            feedForwardBlock(rows.count, layer: l)
        }
        computeLogits(logitRows)
    }

    func attentionBlock(_ rows: [BatchRow], layer l: Int) {
        let w = weights.layers[l]
        let n = rows.count, dim = config.embeddingLength, kv = config.kvLength
        normalize(n, weight: w.attentionNorm)
        state.activations.quantize(state.normed.pointer, rows: n, stride: dim)
        multiply([(w.query, state.query.pointer), (w.key, state.key.pointer), (w.value, state.value.pointer)],
                 state.normed.pointer, state.activations)
        for (r, row) in rows.enumerated() {
            rope.apply(state.query.pointer + r * dim, heads: config.headCount, headSize: config.headSize,
                       position: row.position)
            rope.apply(state.key.pointer + r * kv, heads: config.kvHeadCount, headSize: config.headSize,
                       position: row.position)
            row.cache.storeKeys(state.key.pointer + r * kv, layer: l, position: row.position)
            row.cache.values(layer: l, position: row.position).update(from: state.value.pointer + r * kv, count: kv)
        }
        attend(rows, layer: l)
        state.activations.quantize(state.attention.pointer, rows: n, stride: dim)
        multiply([(w.output, state.projected.pointer)], state.attention.pointer, state.activations)
        addResidual(n)
    }

    func feedForwardBlock(_ n: Int, layer l: Int) {
        let w = weights.layers[l]
        let dim = config.embeddingLength, ffn = config.feedForwardLength
        normalize(n, weight: w.feedForwardNorm)
        state.activations.quantize(state.normed.pointer, rows: n, stride: dim)
        multiply([(w.gate, state.gate.pointer), (w.up, state.up.pointer)], state.normed.pointer, state.activations)
        let gate = state.gate.pointer, up = state.up.pointer
        // Small batches run inline: splitting a few thousand elements costs more than it saves.
        pool.parallelFor(n * ffn, chunk: pool.chunkSize(n * ffn, minimum: Self.elementwiseChunkMin)) { range in
            Gating.swiGLU(gate: gate + range.lowerBound, up: up + range.lowerBound, count: range.count,
                          into: gate + range.lowerBound)
        }
        state.hiddenActivations.quantize(gate, rows: n, stride: ffn)
        multiply([(w.down, state.projected.pointer)], gate, state.hiddenActivations)
        addResidual(n)
    }

    /// state.normed[r] = RMSNorm(state.residual[r]) · weight.
    func normalize(_ n: Int, weight: UnsafePointer<Float>) {
        let dim = config.embeddingLength
        for r in 0..<n {
            Normalization.rmsNorm(state.residual.pointer + r * dim, weight: weight, count: dim,
                                  epsilon: config.rmsEpsilon, into: state.normed.pointer + r * dim)
        }
    }

    /// state.residual += state.projected, element by element.
    func addResidual(_ n: Int) {
        let x = state.residual.pointer, p = state.projected.pointer
        for i in 0..<(n * config.embeddingLength) { x[i] = x[i] + p[i] }
    }

    /// Products of several matrices with the same input rows (`input`, quantized as `act`), as one
    /// parallel loop over the concatenated output rows. Output row i of product k for input row r goes
    /// to `out + r·rows(k) + i`. Float matrices (F32, F16) take `input` itself.
    func multiply(_ products: [(WeightMatrix, UnsafeMutablePointer<Float>)], _ input: UnsafePointer<Float>,
                  _ act: Q8Activations) {
        let total = products.reduce(0) { $0 + $1.0.rows }
        let chunk = pool.chunkSize(total, minimum: 16)
        pool.parallelFor(total, chunk: chunk) { range in
            var start = 0
            for (matrix, out) in products {
                let lower = max(range.lowerBound - start, 0), upper = min(range.upperBound - start, matrix.rows)
                if lower < upper, matrix.takesQuantizedActivations {
                    MatrixProduct.multiply(matrix, act, rows: lower..<upper, into: out, outStride: matrix.rows)
                } else if lower < upper {
                    MatrixProduct.multiply(matrix, input, count: act.rows, xStride: act.columns, rows: lower..<upper,
                                           into: out, outStride: matrix.rows)
                }
                start += matrix.rows
            }
        }
    }

    /// Attention for every (row, KV head) pair in parallel, into state.attention: the query heads
    /// sharing a KV head are computed together (at most `AttentionKernel.groupMax` at a time).
    func attend(_ rows: [BatchRow], layer l: Int) {
        let size = config.headSize, kv = config.kvLength, dim = config.embeddingLength
        let shared = config.headsPerKVHead, groups = config.kvHeadCount
        let scale = 1 / Float(size).squareRoot()
        let query = state.query.pointer, out = state.attention.pointer
        // One short sequence's attention is a few microseconds: cheaper inline than dispatched.
        let work = rows.reduce(0) { $0 + $1.position + 1 }
        let chunk = work < Self.attentionInlinePositionsMax ? rows.count * groups : 1
        pool.parallelFor(rows.count * groups, chunk: chunk) { range in
            for task in range {
                let r = task / groups, kvHead = task % groups, row = rows[r]
                let count = row.position + 1
                var h = 0
                while h < shared {
                    let group = min(AttentionKernel.groupMax, shared - h)
                    let first = kvHead * shared + h
                    let scratch = AttentionKernel.groupMax * count
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: scratch) { scores in
                        AttentionKernel.attendGroup(
                            queries: query + r * dim + first * size, group: group,
                            keys: row.cache.keys(layer: l, head: kvHead), keyStride: row.cache.capacity,
                            values: row.cache.values(layer: l, position: 0) + kvHead * size, valueStride: kv,
                            count: count, headSize: size, scale: scale,
                            scores: scores.baseAddress!, into: out + r * dim + first * size)
                    }
                    h += group
                }
            }
        }
    }

    /// Final RMSNorm and logit projection for `logitRows`, into state.logits in that order.
    func computeLogits(_ logitRows: [Int]) {
        if logitRows.isEmpty { return }
        let dim = config.embeddingLength
        for (i, r) in logitRows.enumerated() {
            Normalization.rmsNorm(state.residual.pointer + r * dim, weight: weights.outputNorm, count: dim,
                                  epsilon: config.rmsEpsilon, into: state.normed.pointer + i * dim)
        }
        state.activations.quantize(state.normed.pointer, rows: logitRows.count, stride: dim)
        multiply([(weights.output, state.logits.pointer)], state.normed.pointer, state.activations)
    }
}
