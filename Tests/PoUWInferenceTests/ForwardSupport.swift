import Foundation
import PoUWInference

/// The oracle with its teacher-forced steps (the tokenizer tests read only the ids).
struct ForwardOracle: Decodable {
    struct Step: Decodable {
        let token: Int
        let token_logprob: Double
        let top5: [[Double]]
        let margin: Double
    }

    struct Case: Decodable {
        let prompt_ids: [Int]
        let generated_ids: [Int]
        let steps: [Step]
    }

    let cases: [Case]

    static let loaded: ForwardOracle? = GGUFReferenceFiles.oraclePath.flatMap { path in
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return nil }
        return try? JSONDecoder().decode(ForwardOracle.self, from: data)
    }
}

/// Reference models, loaded once per test process and per thread count. Calls on one model must not
/// overlap, so tests that share a model serialize on `lock`.
enum ReferenceModels {
    static let lock = NSLock()
    static let byThreads: [Int: InferenceModel] = {
        guard let box = GGUFReferenceFiles.model else { return [:] }
        var models: [Int: InferenceModel] = [:]
        for threads in [1, 2, 8] {
            do { models[threads] = try InferenceModel(file: box.file, threads: threads) } catch {
                print("⚠️ reference model failed to load: \(error)")
                return [:]
            }
        }
        return models
    }()

    /// Runs `body` with the model for `threads` threads, one test at a time.
    static func with<T>(threads: Int, _ body: (InferenceModel) throws -> T) throws -> T? {
        lock.lock()
        defer { lock.unlock() }
        guard let model = byThreads[threads] else { return nil }
        return try body(model)
    }
}

/// log-softmax in Double (for comparisons with llama.cpp's logprobs).
func logSoftmax(_ logits: [Float]) -> [Double] {
    let m = Double(logits.max()!)
    let sum = logits.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) }
    let logSum = Foundation.log(sum) + m
    return logits.map { Double($0) - logSum }
}

/// Index of the largest logit (the first one on ties).
func argmax(_ logits: [Float]) -> Int {
    var best = 0
    for i in 1..<logits.count where logits[i] > logits[best] { best = i }
    return best
}

/// A small random llama model written with `GGUFWriter`, so forward-pass tests run without the
/// reference file. Mixes every supported matrix format: Q4_1 (Q, K, gate, up), Q4_0 (V, down),
/// F16 (attention output), Q8_0 (tied embeddings), F32 norms.
enum SyntheticModel {
    static let embedding = 64, feedForward = 96, layers = 2, heads = 4, kvHeads = 2, vocabulary = 40
    static let context = 128

    static func file(seed: UInt64 = 1) -> GGUFFile {
        var random = TestRandom(seed: seed)
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("llama.block_count", .uint32(UInt32(layers)))
        writer.set("llama.context_length", .uint32(UInt32(context)))
        writer.set("llama.embedding_length", .uint32(UInt32(embedding)))
        writer.set("llama.feed_forward_length", .uint32(UInt32(feedForward)))
        writer.set("llama.attention.head_count", .uint32(UInt32(heads)))
        writer.set("llama.attention.head_count_kv", .uint32(UInt32(kvHeads)))
        writer.set("llama.rope.freq_base", .float32(10_000))
        writer.set("llama.attention.layer_norm_rms_epsilon", .float32(1e-5))
        let kv = embedding / heads * kvHeads
        writer.addTensor(name: "token_embd.weight", dimensions: [embedding, vocabulary], type: .q8_0,
                         data: blocks(.q8_0, rows: vocabulary, columns: embedding, &random))
        for l in 0..<layers {
            let p = "blk.\(l)."
            writer.addTensor(name: p + "attn_norm.weight", dimensions: [embedding], type: .f32,
                             data: norm(embedding, &random))
            let projections = [("attn_q", embedding, GGMLType.q4_1), ("attn_k", kv, .q4_1), ("attn_v", kv, .q4_0)]
            for (name, rows, type) in projections {
                writer.addTensor(name: p + name + ".weight", dimensions: [embedding, rows], type: type,
                                 data: blocks(type, rows: rows, columns: embedding, &random))
            }
            writer.addTensor(name: p + "attn_output.weight", dimensions: [embedding, embedding], type: .f16,
                             data: halves(embedding * embedding, &random))
            writer.addTensor(name: p + "ffn_norm.weight", dimensions: [embedding], type: .f32,
                             data: norm(embedding, &random))
            for name in ["ffn_gate", "ffn_up"] {
                writer.addTensor(name: p + name + ".weight", dimensions: [embedding, feedForward], type: .q4_1,
                                 data: blocks(.q4_1, rows: feedForward, columns: embedding, &random))
            }
            writer.addTensor(name: p + "ffn_down.weight", dimensions: [feedForward, embedding], type: .q4_0,
                             data: blocks(.q4_0, rows: embedding, columns: feedForward, &random))
        }
        writer.addTensor(name: "output_norm.weight", dimensions: [embedding], type: .f32,
                         data: norm(embedding, &random))
        do { return try GGUFFile(bytes: writer.encoded()) } catch { preconditionFailure("synthetic model: \(error)") }
    }

    /// Random blocks with binary16 scales in a range that keeps activations moderate.
    static func blocks(_ type: GGMLType, rows: Int, columns: Int, _ random: inout TestRandom) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<(rows * columns / 32) {
            var block = (0..<type.blockBytes).map { _ in UInt8.random(in: 0...255, using: &random) }
            let d = Float16(Float.random(in: 0.01...0.04, using: &random)).bitPattern
            block[0] = UInt8(d & 0xFF)
            block[1] = UInt8(d >> 8)
            if type == .q4_1 {
                let m = Float16(Float.random(in: -0.3 ... -0.1, using: &random)).bitPattern
                block[2] = UInt8(m & 0xFF)
                block[3] = UInt8(m >> 8)
            }
            bytes += block
        }
        return bytes
    }

    static func norm(_ count: Int, _ random: inout TestRandom) -> [UInt8] {
        (0..<count).flatMap { _ in
            withUnsafeBytes(of: Float.random(in: 0.5...1.5, using: &random).bitPattern.littleEndian) { Array($0) }
        }
    }

    static func halves(_ count: Int, _ random: inout TestRandom) -> [UInt8] {
        (0..<count).flatMap { _ in
            withUnsafeBytes(of: Float16(Float.random(in: -0.1...0.1, using: &random)).bitPattern.littleEndian) {
                Array($0)
            }
        }
    }
}

/// Bit patterns of logits, for exact comparisons.
func bits(_ x: [Float]) -> [UInt32] { x.map(\.bitPattern) }
