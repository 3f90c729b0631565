import Foundation
import PoUWInference

/// Locates the reference model and the llama.cpp oracle. Tests that need them are disabled, with a
/// loud notice, when they are absent.
enum GGUFReferenceFiles {
    /// <package root>, three levels above this file (Tests/PoUWInferenceTests/<file>).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `POUW_MODEL`, else `<package root>/.models/SmolLM2-135M-Instruct.Q4_1.gguf`; nil when neither exists.
    static let modelPath: String? = {
        let candidate = ProcessInfo.processInfo.environment["POUW_MODEL"]
            ?? packageRoot.appendingPathComponent(".models/SmolLM2-135M-Instruct.Q4_1.gguf").path
        guard FileManager.default.fileExists(atPath: candidate) else {
            print("⚠️ SKIPPING reference-model tests: no model at \(candidate). Set POUW_MODEL or run setup.")
            return nil
        }
        return candidate
    }()

    /// `<package root>/../shared/oracles/smollm2-q4_1-llamacpp.json`; nil when absent.
    static let oraclePath: String? = {
        let candidate = packageRoot.appendingPathComponent("../shared/oracles/smollm2-q4_1-llamacpp.json")
            .standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: candidate) else {
            print("⚠️ SKIPPING oracle tests: no oracle at \(candidate).")
            return nil
        }
        return candidate
    }()

    static var hasModel: Bool { modelPath != nil }
    static var hasModelAndOracle: Bool { modelPath != nil && oraclePath != nil }

    /// The model, read once per process.
    static let model: GGUFFileBox? = modelPath.flatMap { try? GGUFFileBox(path: $0) }
}

/// Holds the shared reference model so it is mapped once per test process.
final class GGUFFileBox: Sendable {
    let file: GGUFFile
    init(path: String) throws {
        file = try GGUFFile(path: path)
    }
}

/// SplitMix64: a small seeded generator for test inputs (deterministic, never system randomness).
struct TestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
