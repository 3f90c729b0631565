import Foundation
import PoUWInference
import Testing

/// Throughput of the forward pass on the reference model, run by hand:
///
///     POUW_BENCH=1 swift test -c release --filter ForwardBenchmark
///
/// Optional: POUW_BENCH_THREADS (default 2), POUW_BENCH_ROWS (batch rows, default 64),
/// POUW_BENCH_SEQUENCES (concurrent decode counts, default "1,4,16"). Prints
/// tokens per second; asserts nothing about time.
@Suite(.serialized) struct ForwardBenchmark {
    static let environment = ProcessInfo.processInfo.environment
    static let enabled = environment["POUW_BENCH"] != nil && GGUFReferenceFiles.hasModel
    static let threads = Int(environment["POUW_BENCH_THREADS"] ?? "") ?? 2
    static let rows = Int(environment["POUW_BENCH_ROWS"] ?? "") ?? 64
    static let sequenceCounts = (environment["POUW_BENCH_SEQUENCES"] ?? "1,4,16").split(separator: ",")
        .compactMap { Int($0) }

    static func model() throws -> InferenceModel {
        try InferenceModel(file: try #require(GGUFReferenceFiles.model).file, threads: threads,
                           batchRowsMax: max(rows, 16))
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    static func prompt(_ count: Int) -> [Int] { (0..<count).map { 100 + ($0 * 7919) % 40_000 } }

    @Test("prefill of a 512-token prompt", .enabled(if: enabled))
    func prefill() throws {
        let model = try Self.model()
        var best = Double.infinity
        for _ in 0..<3 {
            let cache = try model.makeCache(capacity: 512)
            best = min(best, try Self.seconds { _ = try model.prefill(Self.prompt(512), cache: cache) })
        }
        print(String(format: "prefill 512: %.1f tok/s (%d threads, %d rows per batch)", 512 / best, Self.threads,
                     Self.rows))
    }

    @Test("decode throughput for 1, 4 and 16 concurrent sequences", .enabled(if: enabled))
    func decode() throws {
        let model = try Self.model()
        let steps = 64
        for sequences in Self.sequenceCounts {
            let caches = try (0..<sequences).map { _ in try model.makeCache(capacity: 32 + steps) }
            for (i, cache) in caches.enumerated() { _ = try model.prefill(Self.prompt(32 - i), cache: cache) }
            var tokens = (0..<sequences).map { 200 + $0 }
            let time = try Self.seconds {
                for _ in 0..<steps {
                    let logits = try model.decode(tokens, caches: caches)
                    tokens = logits.map(argmax)
                }
            }
            print(String(format: "decode %2d sequences: %.1f tok/s aggregate (%d threads)", sequences,
                         Double(steps * sequences) / time, Self.threads))
        }
    }

    @Test("digest of a prompt's logits, to compare builds for different ISAs by hand", .enabled(if: enabled))
    func logitsDigest() throws {
        let model = try Self.model()
        let cache = try model.makeCache(capacity: 64)
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over the logits' bits
        for row in try model.scoreAll(Self.prompt(64), cache: cache) {
            for value in row {
                hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3
            }
        }
        print("logits digest (64 positions × vocabulary): \(String(hash, radix: 16))")
    }
}
