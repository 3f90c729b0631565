/// `pouw chat`: an interactive, streaming chat with a node's OpenAI-compatible API.
import ArgumentParser
import Foundation
import PoUWAPI

struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a node's model over its OpenAI-compatible API, streaming the answer.",
        discussion: """
            Each line you type is a user message; the conversation is kept and sent whole each turn. \
            An empty line or end of input (Ctrl-D) ends the chat. With --prompt, one turn and exit.
            """
    )

    @OptionGroup var where_: APIOptions

    @Option(help: "Model to ask (default: the first the node serves).")
    var model: String?

    @Option(help: "A system message that starts the conversation.")
    var system: String?

    @Option(help: "One message to send; prints the answer and exits.")
    var prompt: String?

    @Option(help: "Most tokens per answer.")
    var maxTokens = 256

    @Option(help: "Sampling temperature (0: greedy).")
    var temperature = 0.7

    @Option(help: "Sampling seed (default: the node picks one and reports it).")
    var seed: UInt64?

    func validate() throws {
        guard (1...8_192).contains(maxTokens) else { throw ValidationError("--max-tokens must be 1...8192") }
        guard (0...2).contains(temperature) else { throw ValidationError("--temperature must be 0...2") }
    }

    func run() throws {
        let client = try where_.client()
        let modelName: String
        if let model {
            modelName = model
        } else {
            let answer: HTTPAnswer
            do { answer = try client.exchange(method: "GET", path: "/v1/models") } catch { throw Failure("\(error)") }
            let list = try? JSONDecoder().decode(ModelListView.self, from: Data(answer.body))
            guard answer.status == 200, let first = list?.data.first
            else { throw Failure("the node serves no model (GET /v1/models answered \(answer.status))") }
            modelName = first.id
        }
        var messages: [[String: String]] = []
        if let system { messages.append(["role": "system", "content": system]) }
        let interactive = prompt == nil
        if interactive { FileHandle.standardError.write(Data("chatting with \(modelName); empty line ends\n".utf8)) }
        while true {
            let line: String
            if let prompt {
                line = prompt
            } else {
                FileHandle.standardError.write(Data("> ".utf8))
                guard let read = readLine(), !read.trimmingCharacters(in: .whitespaces).isEmpty else { break }
                line = read
            }
            messages.append(["role": "user", "content": line])
            let answer = try turn(client, model: modelName, messages: messages)
            messages.append(["role": "assistant", "content": answer])
            if !interactive { break }
        }
    }

    /// Sends the conversation, prints the answer's deltas as they arrive, returns the whole answer.
    private func turn(_ client: APIClient, model: String, messages: [[String: String]]) throws -> String {
        var request: [String: Any] = [
            "model": model, "messages": messages, "stream": true, "max_tokens": maxTokens,
            "temperature": temperature,
        ]
        if let seed { request["seed"] = seed }
        let body = try JSONSerialization.data(withJSONObject: request)
        var text = ""
        do {
            try client.postEvents(path: "/v1/chat/completions", body: [UInt8](body)) { data in
                guard let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any],
                      let choices = object["choices"] as? [[String: Any]], let first = choices.first,
                      let delta = first["delta"] as? [String: Any], let piece = delta["content"] as? String
                else { return true }
                text += piece
                FileHandle.standardOutput.write(Data(piece.utf8))
                return true
            }
        } catch {
            throw Failure("\(error)")
        }
        FileHandle.standardOutput.write(Data("\n".utf8))
        return text
    }
}
