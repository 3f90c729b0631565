import PoUWKernels
import Synchronization

/// A llama-family model loaded from GGUF, ready to run: configuration, weights (views into the
/// mapped file), RoPE tables, a worker pool and the activation buffers for one batch.
///
/// Calls run one at a time (the model owns one set of buffers); a call made while another is in
/// progress is a programmer error and traps. Each sequence keeps its state in a `KVCache` made by
/// `makeCache`; `decode` advances several sequences in one step, reading the weights once.
///
/// Results are bit-identical across runs, thread counts and batch compositions (`Numerics`).
public final class InferenceModel: @unchecked Sendable {
    /// Most rows (tokens) one forward batch may hold.
    public static let batchRowsBound = 1024

    public let config: ModelConfig
    public let weights: ModelWeights
    public let pool: WorkerPool
    /// Rows per forward batch: prompts are processed in chunks of this many tokens, and at most this
    /// many sequences decode together.
    public let batchRowsMax: Int
    let rope: RopeTable
    let state: ForwardState
    private let busy = Atomic<Bool>(false)

    /// Maps the GGUF file at `path` and prepares the model to run on `threads` threads.
    public convenience init(path: String, threads: Int, batchRowsMax: Int = 64) throws(ModelError) {
        let file: GGUFFile
        do { file = try GGUFFile(path: path) } catch { throw .file(error) }
        try self.init(file: file, threads: threads, batchRowsMax: batchRowsMax)
    }

    public init(file: GGUFFile, threads: Int, batchRowsMax: Int = 64) throws(ModelError) {
        precondition(batchRowsMax >= 1 && batchRowsMax <= Self.batchRowsBound,
                     "batchRowsMax \(batchRowsMax) outside 1…\(Self.batchRowsBound)")
        config = try ModelConfig(gguf: file)
        weights = try ModelWeights(file: file, config: config)
        self.batchRowsMax = batchRowsMax
        pool = WorkerPool(threadCount: threads)
        rope = RopeTable(dimensions: config.ropeDimensions, base: config.ropeBase,
                         positions: min(config.contextLength, Self.positionsMax))
        state = ForwardState(config: config, rowsMax: batchRowsMax)
    }

    /// Longest sequence a cache may hold: the model's context, bounded by the RoPE table.
    public var positionsMax: Int { rope.positions }
    /// Upper bound on RoPE table positions (the table takes 4·ropeDimensions bytes per position).
    public static let positionsMax = 32_768

    /// A cache for one sequence of up to `capacity` positions (prompt and generated tokens).
    public func makeCache(capacity: Int) throws(InferenceError) -> KVCache {
        guard capacity >= 1, capacity <= positionsMax else {
            throw .cacheTooLarge(requested: capacity, maximum: positionsMax)
        }
        return KVCache(capacity: capacity, layerCount: config.layerCount, kvLength: config.kvLength,
                       headSize: config.headSize)
    }

    /// Appends `tokens` to the sequence of `cache` and returns the logits that predict the token
    /// after the last one (vocabularySize floats).
    public func prefill(_ tokens: [Int], cache: KVCache) throws(InferenceError) -> [Float] {
        try run(tokens, cache: cache, allLogits: false)[0]
    }

    /// Appends `tokens` to the sequence of `cache` and returns, for every position i, the logits that
    /// predict the token after `tokens[i]` (teacher-forced scoring).
    public func scoreAll(_ tokens: [Int], cache: KVCache) throws(InferenceError) -> [[Float]] {
        try run(tokens, cache: cache, allLogits: true)
    }

    /// One decode step for several sequences at once: appends `tokens[i]` to `caches[i]` and returns
    /// the next-token logits of each. The caches must be distinct. Each sequence's logits are
    /// bit-identical to what `prefill([tokens[i]], cache: caches[i])` would give.
    public func decode(_ tokens: [Int], caches: [KVCache]) throws(InferenceError) -> [[Float]] {
        precondition(tokens.count == caches.count, "one token per sequence")
        precondition(Set(caches.map(ObjectIdentifier.init)).count == caches.count, "decode caches must be distinct")
        guard !tokens.isEmpty else { throw .emptyInput }
        guard tokens.count <= batchRowsMax else { throw .tooManySequences(count: tokens.count, maximum: batchRowsMax) }
        for (token, cache) in zip(tokens, caches) {
            try validate([token], cache: cache)
        }
        let rows = zip(tokens, caches).map { BatchRow(cache: $1, position: $1.count, token: $0) }
        return exclusive {
            forward(rows, logitRows: Array(rows.indices))
            for cache in caches { cache.count += 1 }
            return (0..<rows.count).map(logits(row:))
        }
    }

    private func run(_ tokens: [Int], cache: KVCache, allLogits: Bool) throws(InferenceError) -> [[Float]] {
        try validate(tokens, cache: cache)
        return exclusive {
            var result: [[Float]] = []
            var start = 0
            while start < tokens.count {
                let end = min(tokens.count, start + batchRowsMax)
                let rows = (start..<end).map {
                    BatchRow(cache: cache, position: cache.count + $0 - start, token: tokens[$0])
                }
                let logitRows = allLogits ? Array(rows.indices) : (end == tokens.count ? [rows.count - 1] : [])
                forward(rows, logitRows: logitRows)
                cache.count += rows.count
                result += (0..<logitRows.count).map(logits(row:))
                start = end
            }
            return result
        }
    }

    private func validate(_ tokens: [Int], cache: KVCache) throws(InferenceError) {
        precondition(cache.layerCount == config.layerCount && cache.kvLength == config.kvLength,
                     "cache was made by another model")
        guard !tokens.isEmpty else { throw .emptyInput }
        guard cache.count + tokens.count <= cache.capacity else {
            throw .sequenceTooLong(capacity: cache.capacity, needed: cache.count + tokens.count)
        }
        for token in tokens where token < 0 || token >= config.vocabularySize {
            throw .tokenOutOfRange(token: token, vocabularySize: config.vocabularySize)
        }
    }

    private func logits(row i: Int) -> [Float] {
        let v = config.vocabularySize
        return Array(UnsafeBufferPointer(start: state.logits.pointer + i * v, count: v))
    }

    private func exclusive<T>(_ body: () -> T) -> T {
        let (exchanged, _) = busy.compareExchange(expected: false, desired: true, ordering: .acquiring)
        precondition(exchanged, "InferenceModel calls must not overlap")
        defer { busy.store(false, ordering: .releasing) }
        return body()
    }
}
