import ArgumentParser
import Foundation
import PoUWInference

/// `--model` and `--threads`, shared by the inference commands.
struct ModelOptions: ParsableArguments {
    static let defaultModel = ".models/SmolLM2-135M-Instruct.Q4_1.gguf"

    @Option(help: ArgumentHelp(
        "GGUF model file (default: $POUW_MODEL, else \(ModelOptions.defaultModel)).", valueName: "path"))
    var model: String?

    @Option(help: "Inference worker threads.")
    var threads = 2

    var path: String {
        if let model { return model }
        if let env = ProcessInfo.processInfo.environment["POUW_MODEL"], !env.isEmpty { return env }
        return Self.defaultModel
    }

    func validate() throws {
        guard threads >= 1 && threads <= WorkerPool.threadCountMax else {
            throw ValidationError("--threads must be from 1 to \(WorkerPool.threadCountMax)")
        }
    }

    /// Loads the model and its tokenizer, with a progress line on stderr.
    func load(batchRowsMax: Int = 64) throws -> (model: InferenceModel, tokenizer: Tokenizer, seconds: Double) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure("model file \(path) not found; run `bash Deploy/setup.sh` or pass --model PATH")
        }
        Console.status("loading \(path)")
        let start = Stopwatch()
        do {
            let model = try InferenceModel(path: path, threads: threads, batchRowsMax: batchRowsMax)
            let tokenizer = try Tokenizer(gguf: model.weights.file)
            let seconds = start.seconds
            Console.status("loaded \(path) in \(String(format: "%.2f", seconds)) s (\(threads) threads)\n")
            return (model, tokenizer, seconds)
        } catch {
            throw Failure("cannot load \(path): \(error)")
        }
    }
}

/// Monotonic elapsed time.
struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds
    var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

/// Progress and status lines on stderr (stdout stays machine-readable).
enum Console {
    /// Overwrites the current stderr line.
    static func status(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    /// Writes one line to stdout at once (unbuffered, so a supervisor's log shows it immediately).
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
