import ArgumentParser
import Foundation
import PoUWInference

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Teacher-forced scoring (the verifier's primitive) of a prompt and output given as JSON on stdin.",
        discussion: """
            Input:  {"prompt_ids": [...], "output_ids": [...], "top_k": 5,
                     "sampling": {"temperature": 0.7, "top_k": 40, "top_p": 0.9, "seed": 1, "request_id": 0}}
                    ("top_k" and "sampling" are optional; with "sampling" each position also replays the sampler.)
            Output: {"positions": [{"token": id, "logprob": x, "top": [[id, logprob], ...], "margin": x,
                     "replayed_token": id}], "replay_mismatches": [index, ...]}
            """
    )

    static let inputBytesMax = 4 * 1024 * 1024

    @OptionGroup var modelOptions: ModelOptions

    struct Input: Decodable {
        struct Sampling: Decodable {
            var temperature: Float
            var top_k: Int?
            var top_p: Float?
            var seed: UInt64
            var request_id: UInt64?
        }
        var prompt_ids: [Int]
        var output_ids: [Int]
        var top_k: Int?
        var sampling: Sampling?
    }

    func run() throws {
        let data = FileHandle.standardInput.readData(ofLength: Self.inputBytesMax + 1)
        guard data.count <= Self.inputBytesMax else {
            throw Failure("input is larger than \(Self.inputBytesMax) bytes")
        }
        let input: Input
        do { input = try JSONDecoder().decode(Input.self, from: data) } catch {
            throw Failure("input is not the expected JSON ({\"prompt_ids\": [...], \"output_ids\": [...]}): \(error)")
        }
        let topK = input.top_k ?? 5
        guard (0...LogProbabilities.topCountMax).contains(topK) else {
            throw Failure("top_k must be from 0 to \(LogProbabilities.topCountMax)")
        }
        var sampling: (parameters: SamplingParameters, requestID: UInt64)?
        if let s = input.sampling {
            do {
                let parameters = try SamplingParameters(
                    temperature: s.temperature, topK: s.top_k ?? 0, topP: s.top_p ?? 1, seed: s.seed)
                sampling = (parameters, s.request_id ?? 0)
            } catch {
                throw Failure("sampling: \(error)")
            }
        }
        let loaded = try modelOptions.load()
        let result: ScoreResult
        do {
            result = try Scorer(model: loaded.model).score(
                prompt: input.prompt_ids, output: input.output_ids, topK: topK, sampling: sampling)
        } catch {
            throw Failure("cannot score: \(error)")
        }
        Console.status("")
        print(Self.json(result))
    }

    static func json(_ result: ScoreResult) -> String {
        func number(_ x: Double) -> String { x.isFinite ? String(format: "%.6f", x) : "null" }
        let positions = result.positions.map { p in
            let top = p.top.map { "[\($0.token),\(number($0.logprob))]" }.joined(separator: ",")
            let replay = p.replayedToken.map { ",\"replayed_token\":\($0)" } ?? ""
            return "{\"token\":\(p.token),\"logprob\":\(number(p.logprob)),\"top\":[\(top)],"
                + "\"margin\":\(number(p.margin))\(replay)}"
        }
        let mismatches = result.replayMismatches.map(String.init).joined(separator: ",")
        return "{\"positions\":[\(positions.joined(separator: ","))],\"replay_mismatches\":[\(mismatches)]}"
    }
}
