import Foundation
import Testing

/// The official `openai` Python package (installed by Deploy/setup.sh into .venv-openai) against a real
/// node: model list, chat, streaming, logprobs, and its error types for a bad parameter and an unknown
/// model (Deploy/clients/openai_check.py).
@Suite struct OpenAIClientTests {
    static let repo: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    @Test func theOfficialOpenAIClientTalksToANode() throws {
        let python = Self.repo.appendingPathComponent(".venv-openai/bin/python").path
        let script = Self.repo.appendingPathComponent("Deploy/clients/openai_check.py").path
        try #require(FileManager.default.isExecutableFile(atPath: python),
                     "\(python) is missing: run `bash Deploy/setup.sh`")
        let net = try LocalTestnet(validators: 1, observers: 0, extraArguments: [])
        defer { net.stop() }
        try net.start(0)
        let up = net.waitForHeight(1, nodes: [0], seconds: 60)
        try #require(up, "the node did not start:\n\(net.logTail(0))")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "http://127.0.0.1:\(net.basePort + 1)", "SmolLM2-135M-Instruct.Q4_1.gguf"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(output)
        #expect(process.terminationStatus == 0, "openai_check.py failed:\n\(output)\n\(net.logTail(0))")
        for check in ["models ok", "chat ok", "stream ok", "logprobs ok", "error ok: 400", "error ok: 404"] {
            #expect(output.contains(check), "missing \(check)")
        }

        // `pouw chat` streams the same greedy answer the API gives whole.
        let api = "http://127.0.0.1:\(net.basePort + 1)"
        let chat = try LocalTestnet.run(["chat", "--api", api, "--prompt", "Name a color.", "--temperature", "0",
                                         "--max-tokens", "8"])
        #expect(chat.status == 0, "\(chat.text)")
        let chatLine = output.split(separator: "\n").first { $0.hasPrefix("chat ok:") }.map(String.init) ?? ""
        let printed = chat.text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!printed.isEmpty && chatLine.contains(printed), "pouw chat printed \(printed); python saw \(chatLine)")
        let refused = try LocalTestnet.run(["chat", "--api", api, "--prompt", "x", "--model", "nope"])
        #expect(refused.status == 1 && refused.text.contains("404"), "\(refused.text)")
    }
}
