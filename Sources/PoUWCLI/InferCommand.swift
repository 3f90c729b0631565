import ArgumentParser
import Foundation
import PoUWInference

struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Generate text with the local engine, streaming tokens; prints tokens/s at the end."
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Prompt: sent as one user message through the model's chat template (see --raw).")
    var prompt: String?

    @Flag(help: "Interactive chat: read user messages from stdin, one per line, keeping the conversation.")
    var chat = false

    @Flag(help: "Feed --prompt to the model as plain text, without the chat template.")
    var raw = false

    @Option(help: "System message (default: the template's own).")
    var system: String?

    @Option(help: "Most tokens to generate per answer.")
    var maxTokens = 256

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0

    @Option(help: "Keep only the k most likely tokens (0: the sampler's cap).")
    var topK = 0

    @Option(help: "Keep the most likely tokens up to this cumulative probability.")
    var topP: Float = 1

    @Option(help: "Seed of the sampler's random stream.")
    var seed: UInt64 = 0

    @Option(help: "Stop when this text is produced (repeatable).")
    var stop: [String] = []

    func validate() throws {
        guard (prompt != nil) != chat else { throw ValidationError("give exactly one of --prompt TEXT or --chat") }
        if raw && chat { throw ValidationError("--raw applies to --prompt only") }
        do { _ = try parameters() } catch { throw ValidationError("\(error)") }
    }

    func parameters() throws -> SamplingParameters {
        try SamplingParameters(temperature: temperature, topK: topK, topP: topP, seed: seed, maxTokens: maxTokens,
                               stopSequences: stop)
    }

    func run() throws {
        let loaded = try modelOptions.load()
        let generator = Generator(model: loaded.model, tokenizer: loaded.tokenizer)
        let template: ChatTemplate?
        do { template = raw ? nil : try ChatTemplate(gguf: loaded.model.weights.file) } catch {
            throw Failure("\(error); use --raw to send the prompt as plain text")
        }
        var messages: [ChatMessage] = system.map { [ChatMessage(role: "system", content: $0)] } ?? []
        var turn: UInt64 = 0
        while true {
            let user: String
            if let prompt {
                user = prompt
            } else {
                FileHandle.standardError.write(Data("> ".utf8))
                guard let line = readLine() else { break }
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                user = line
            }
            messages.append(ChatMessage(role: "user", content: user))
            let ids: [Int]
            if let template {
                let pieces = template.pieces(messages, addGenerationPrompt: true)
                guard let encoded = loaded.tokenizer.encode(pieces: pieces) else {
                    throw Failure("the chat template names a token this vocabulary lacks; use --raw")
                }
                ids = encoded
            } else {
                ids = loaded.tokenizer.encode(user, parseSpecial: false)
            }
            let answer = try generate(generator, prompt: ids, requestID: turn)
            messages.append(ChatMessage(role: "assistant", content: answer))
            turn += 1
            if !chat { break }
        }
    }

    private func generate(_ generator: Generator, prompt ids: [Int], requestID: UInt64) throws -> String {
        let started = Stopwatch()
        var firstToken: Double?
        let result: Generation
        do {
            result = try generator.generate(prompt: ids, parameters: try parameters(), requestID: requestID) { token in
                if firstToken == nil { firstToken = started.seconds }
                FileHandle.standardOutput.write(Data(token.text.utf8))
                return true
            }
        } catch {
            throw Failure("generation failed: \(error)")
        }
        print("")
        let total = started.seconds
        let decodeSeconds = total - (firstToken ?? total)
        let rate = result.tokens.count > 1 && decodeSeconds > 0 ? Double(result.tokens.count - 1) / decodeSeconds : 0
        Console.error(String(
            format: "[%d prompt tokens, %d generated (%@); prompt %.0f ms; decode %.1f tokens/s]",
            ids.count, result.tokens.count, result.finishReason.rawValue, (firstToken ?? total) * 1000, rate))
        return result.text
    }
}
