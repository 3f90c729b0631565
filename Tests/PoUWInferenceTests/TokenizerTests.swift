import Foundation
import PoUWInference
import Testing

/// The oracle's per-case fields this suite reads.
struct OracleCase: Decodable {
    let user: String
    let rendered_prompt: String
    let prompt_ids: [Int]
    let generated_ids: [Int]
    let text: String
}

struct Oracle: Decodable {
    let cases: [OracleCase]

    static let loaded: Oracle? = GGUFReferenceFiles.oraclePath.flatMap { path in
        (try? Data(contentsOf: URL(fileURLWithPath: path))).flatMap { try? JSONDecoder().decode(Oracle.self, from: $0) }
    }
}

@Suite struct TokenizerTests {
    static let reference: Tokenizer? = GGUFReferenceFiles.model.flatMap { box in
        do { return try Tokenizer(gguf: box.file) } catch { print("tokenizer: \(error)"); return nil }
    }

    @Test("the oracle's rendered prompts tokenize to its prompt ids", .enabled(if: GGUFReferenceFiles.hasModelAndOracle))
    func oraclePromptIDs() throws {
        let tokenizer = try #require(Self.reference)
        let oracle = try #require(Oracle.loaded)
        #expect(oracle.cases.count == 8)
        for item in oracle.cases {
            #expect(tokenizer.encode(item.rendered_prompt, parseSpecial: true) == item.prompt_ids, "\(item.user)")
            #expect(tokenizer.decode(item.prompt_ids, renderSpecial: true) == item.rendered_prompt)
            #expect(tokenizer.decode(item.generated_ids) == item.text)
        }
    }
}
