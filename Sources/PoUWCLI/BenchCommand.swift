import ArgumentParser
import Foundation
import PoUWInference

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (docs/benchmarks.md).",
        subcommands: [InferenceBench.self, GossipBench.self, FinalityBench.self]
    )
}

/// The inference workloads of docs/benchmarks.md; `Deploy/bench/llamacpp_bench.py` runs the same ones
/// on llama.cpp. Prompt token i is `17 + (i * 7919) % 49000` (fixed ids, no tokenizer involved).
struct InferenceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inference",
        abstract: "Prefill, decode (1, 4, 16 sequences) and scoring throughput, load time and peak RSS."
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Repetitions of each workload; the median is reported.")
    var repeats = 3

    @Option(help: "Rows per forward batch (prompt chunk size; most sequences decoding together).")
    var batchRows = 64

    @Option(help: ArgumentHelp("Also write the figures as JSON to this file.", valueName: "path"))
    var json: String?

    func validate() throws {
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be from 1 to 100") }
        guard (16...InferenceModel.batchRowsBound).contains(batchRows) else {
            throw ValidationError("--batch-rows must be from 16 to \(InferenceModel.batchRowsBound)")
        }
    }

    static func promptIDs(_ count: Int, offset: Int = 0) -> [Int] {
        (0..<count).map { 17 + (($0 + offset) * 7919) % 49000 }
    }

    func run() throws {
        let loaded = try modelOptions.load(batchRowsMax: batchRows)
        let model = loaded.model
        var figures: [(key: String, label: String, value: Double)] = []
        func record(_ key: String, _ label: String, _ value: Double) {
            figures.append((key, label, value))
            Console.status("\(label): \(String(format: "%.1f", value))\n")
        }
        do {
            let prefill = try median("prefill") { () throws(InferenceError) in
                let cache = try model.makeCache(capacity: 512)
                let t = Stopwatch()
                _ = try model.prefill(Self.promptIDs(512), cache: cache)
                return t.seconds
            }
            record("prefill_tokens_per_second", "prefill, 512-token prompt (tokens/s)", 512 / prefill)
            let single = try median("decode") { () throws(InferenceError) in
                try decode(model, sequences: 1, steps: 128)
            }
            record("decode_tokens_per_second", "decode, 1 sequence (tokens/s)", 128 / single)
            for n in [4, 16] {
                let batch = try median("batch \(n)") { () throws(InferenceError) in
                    try decode(model, sequences: n, steps: 64)
                }
                record("batch\(n)_tokens_per_second", "decode, \(n) sequences, aggregate (tokens/s)",
                       Double(n * 64) / batch)
            }
            let scoring = try median("scoring") { () throws(InferenceError) in
                let cache = try model.makeCache(capacity: 256)
                let t = Stopwatch()
                _ = try model.scoreAll(Self.promptIDs(256), cache: cache)
                return t.seconds
            }
            record("scoring_tokens_per_second", "scoring logits, 256 positions (tokens/s)", 256 / scoring)
            let scorer = try median("scorer") { () throws(InferenceError) in
                let ids = Self.promptIDs(256)
                let t = Stopwatch()
                _ = try Scorer(model: model).score(prompt: Array(ids[..<16]), output: Array(ids[16...]), topK: 5)
                return t.seconds
            }
            record("scorer_tokens_per_second", "full scorer, 16 + 240 tokens, top-5 (tokens/s)", 240 / scorer)
        } catch {
            throw Failure("benchmark failed: \(error)")
        }
        record("load_seconds", "model load (s)", loaded.seconds)
        record("peak_rss_bytes", "peak RSS (MiB)", Double(peakRSSBytes()) / 1_048_576)
        figures[figures.count - 1].value = Double(peakRSSBytes())
        if let json {
            let body = figures.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
            let text = "{\"engine\":\"pouw\",\"threads\":\(modelOptions.threads),\(body)}\n"
            do { try text.write(toFile: json, atomically: true, encoding: .utf8) } catch {
                throw Failure("cannot write \(json): \(error)")
            }
        }
    }

    /// Median of `repeats` timings (seconds), with a progress line.
    private func median(_ name: String, _ body: () throws(InferenceError) -> Double) throws(InferenceError) -> Double {
        var times: [Double] = []
        for i in 0..<repeats {
            Console.status("\(name): run \(i + 1)/\(repeats)")
            times.append(try body())
        }
        return times.sorted()[times.count / 2]
    }

    /// Seconds for `steps` greedy decode steps of `sequences` sequences after 16-token prompts.
    private func decode(_ model: InferenceModel, sequences: Int, steps: Int) throws(InferenceError) -> Double {
        var caches: [KVCache] = []
        var tokens: [Int] = []
        for s in 0..<sequences {
            let cache = try model.makeCache(capacity: 16 + steps)
            tokens.append(argmax(try model.prefill(Self.promptIDs(16, offset: 1000 * s), cache: cache)))
            caches.append(cache)
        }
        let t = Stopwatch()
        for _ in 0..<steps {
            tokens = try model.decode(tokens, caches: caches).map(argmax)
        }
        return t.seconds
    }

    private func argmax(_ logits: [Float]) -> Int {
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        return best
    }

    /// The process's peak resident set (VmHWM), in bytes.
    private func peakRSSBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kib = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kib * 1024
        }
        return 0
    }
}
