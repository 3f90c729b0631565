import Foundation
import PoUWInference
import Testing

/// The oracle's per-case fields the tests read.
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
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return nil }
        return try? JSONDecoder().decode(Oracle.self, from: data)
    }
}

/// Tests/PoUWInferenceTests/Fixtures/tokenizer_cases.json, made by make_tokenizer_fixtures.py.
struct TokenizerFixtures: Decodable {
    struct Case: Decodable {
        let text: String
        let parse_special: Bool
        let ids: [Int]
    }

    let cases: [Case]

    /// `POUW_TOKENIZER_CASES` (a larger file made the same way) or the committed fixture.
    static let loaded: TokenizerFixtures? = {
        let url = ProcessInfo.processInfo.environment["POUW_TOKENIZER_CASES"].map { URL(fileURLWithPath: $0) }
            ?? GGUFReferenceFiles.packageRoot
            .appendingPathComponent("Tests/PoUWInferenceTests/Fixtures/tokenizer_cases.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(TokenizerFixtures.self, from: data)
    }()
}

@Suite struct TokenizerTests {
    static let reference: Tokenizer? = GGUFReferenceFiles.model.flatMap { box in
        do { return try Tokenizer(gguf: box.file) } catch { print("tokenizer: \(error)"); return nil }
    }

    @Test("the oracle's rendered prompts tokenize to its prompt ids",
          .enabled(if: GGUFReferenceFiles.hasModelAndOracle))
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

    @Test("the reference vocabulary's metadata is read: size, bos/eos, no BOS added, end-of-generation ids",
          .enabled(if: GGUFReferenceFiles.hasModel))
    func referenceMetadata() throws {
        let tokenizer = try #require(Self.reference)
        #expect(tokenizer.vocabularySize == 49_152)
        #expect(tokenizer.bosID == 1 && tokenizer.eosID == 2 && !tokenizer.addsBOS)
        #expect(tokenizer.endOfGenerationIDs == [0, 2, 4])
        #expect((0...16).allSatisfy { tokenizer.kind(of: $0) == .control })
        #expect(tokenizer.kind(of: 17) == .normal)
        #expect(tokenizer.text(of: 1) == "<|im_start|>" && tokenizer.id(of: "<|im_end|>") == 2)
    }

    @Test("every fixture string tokenizes to llama.cpp's ids and decodes back to itself",
          .enabled(if: GGUFReferenceFiles.hasModel))
    func fixtures() throws {
        let tokenizer = try #require(Self.reference)
        let fixtures = try #require(TokenizerFixtures.loaded, "tokenizer_cases.json is missing or unreadable")
        #expect(fixtures.cases.count >= 200)
        let dropped = Set(tokenizer.bytesWithoutToken)
        for item in fixtures.cases {
            let ids = tokenizer.encode(item.text, parseSpecial: item.parse_special)
            #expect(ids == item.ids, "\(item.text.debugDescription) parseSpecial \(item.parse_special)")
            let expected = item.text.utf8.filter { !dropped.contains($0) }
            #expect(tokenizer.decodeBytes(ids, renderSpecial: true) == expected, "\(item.text.debugDescription)")
        }
    }

    @Test("5,000 seeded random UTF-8 strings round-trip through encode and decode",
          .enabled(if: GGUFReferenceFiles.hasModel))
    func randomRoundTrip() throws {
        let tokenizer = try #require(Self.reference)
        let dropped = Set(tokenizer.bytesWithoutToken)
        var random = TestRandom(seed: 0x70C3_A11E)
        let ranges: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0x09...0x0D, 0xA0...0x2FF, 0x300...0x36F, 0x370...0x52F, 0x590...0x6FF, 0x900...0x97F,
            0x3040...0x30FF, 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0x1F300...0x1FAFF, 0x10000...0x10FFFF,
        ]
        for _ in 0..<5_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<(1 + Int(random.next() % 24)) {
                let range = ranges[Int(random.next() % UInt64(ranges.count))]
                let value = range.lowerBound + UInt32(random.next() % UInt64(range.count))
                guard let scalar = Unicode.Scalar(value), !String(scalar).utf8.contains(where: dropped.contains)
                else { continue }
                scalars.append(scalar)
            }
            let text = String(scalars)
            for parseSpecial in [false, true] {
                let ids = tokenizer.encode(text, parseSpecial: parseSpecial)
                #expect(Array(tokenizer.decode(ids, renderSpecial: true).utf8) == Array(text.utf8))
            }
        }
    }

    @Test("bytes without a token are dropped as llama.cpp drops them; control tokens parse only when asked",
          .enabled(if: GGUFReferenceFiles.hasModel))
    func droppedBytesAndSpecialParsing() throws {
        let tokenizer = try #require(Self.reference)
        #expect(tokenizer.bytesWithoutToken.contains(4))
        #expect(tokenizer.decode(tokenizer.encode("a\u{04}b", parseSpecial: false)) == "ab")
        #expect(tokenizer.encode("<|im_start|>", parseSpecial: true) == [1])
        let literal = tokenizer.encode("<|im_start|>", parseSpecial: false)
        #expect(literal.count > 1 && !literal.contains(1))
        #expect(tokenizer.decode([1, 2]).isEmpty)
        #expect(tokenizer.decode([1, 2], renderSpecial: true) == "<|im_start|><|im_end|>")
    }

    @Test("streamed pieces are valid UTF-8 and concatenate to the full decode",
          .enabled(if: GGUFReferenceFiles.hasModel))
    func streaming() throws {
        let tokenizer = try #require(Self.reference)
        let text = "emoji 🤔🚀 and 日本語 mixed with é and 👨‍👩‍👧 done"
        let ids = tokenizer.encode(text, parseSpecial: false)
        var stream = TokenizerStream(tokenizer: tokenizer)
        var pieces: [String] = []
        for id in ids { pieces.append(stream.append(id)) }
        pieces.append(stream.finish())
        #expect(pieces.joined() == text)
        #expect(pieces.allSatisfy { !$0.contains("\u{FFFD}") })
        let splitting = ids.filter { tokenizer.decodeBytes([$0]).contains { $0 >= 0x80 } }
        #expect(!splitting.isEmpty)
    }
}

@Suite struct TokenizerSyntheticTests {
    /// A vocabulary of the 256 byte spellings plus the given merges (merged tokens appended in order).
    static func tokenizer(merges: [String], pre: String) throws -> Tokenizer {
        var tokens = (0...255).map { byte -> String in
            let printable = (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
            if printable { return String(Unicode.Scalar(UInt8(byte))) }
            let offset = (0..<byte).filter { !((33...126).contains($0) || (161...172).contains($0)
                || (174...255).contains($0)) }.count
            return String(Unicode.Scalar(UInt32(256 + offset)).map(Character.init) ?? "?")
        }
        tokens += merges.map { $0.replacingOccurrences(of: " ", with: "") }
        tokens.append("<|end|>")
        var kinds = Array(repeating: Tokenizer.TokenKind.normal, count: tokens.count)
        kinds[kinds.count - 1] = .control
        return try Tokenizer(tokens: tokens, merges: merges, kinds: kinds, preTokenizer: pre, eosID: tokens.count - 1)
    }

    @Test("digits are isolated before BPE for smollm but not for gpt2")
    func digitsIsolation() throws {
        let smol = try Self.tokenizer(merges: ["1 2", "Ġ 1"], pre: "smollm")
        let gpt2 = try Self.tokenizer(merges: ["1 2", "Ġ 1"], pre: "gpt2")
        #expect(smol.encode("12", parseSpecial: false).count == 2)
        #expect(gpt2.encode("12", parseSpecial: false) == [256])
        // " 1": smollm keeps the space as its own word; gpt2's ` ?\p{N}+` takes both.
        #expect(smol.encode(" 1", parseSpecial: false).count == 2)
        #expect(gpt2.encode(" 1", parseSpecial: false) == [257])
    }

    @Test("the GPT-2 split keeps words, contractions, punctuation runs and whitespace apart")
    func gpt2Split() throws {
        // Merges that would join across every word boundary if the split did not stop them.
        let merges = ["a Ġ", "Ġ a", "' s", "a '", "! !", "a !", "Ġ Ġ", "ĠĠ Ġ", "Ċ a"]
        let tokenizer = try Self.tokenizer(merges: merges, pre: "smollm")
        func words(_ text: String) -> [String] {
            tokenizer.encode(text, parseSpecial: false).map { tokenizer.decode([$0]) }
        }
        #expect(words("a a") == ["a", " a"])
        #expect(words("a's") == ["a", "'s"])
        #expect(words("a!!") == ["a", "!!"])
        #expect(words("a   a") == ["a", "  ", " a"])
        #expect(words("a   ") == ["a", "   "])
        #expect(words("\na") == ["\n", "a"])
    }

    @Test("control tokens are cut out only with parseSpecial and render only when asked")
    func specialTokens() throws {
        let tokenizer = try Self.tokenizer(merges: [], pre: "smollm")
        let end = tokenizer.vocabularySize - 1
        // The synthetic vocabulary lists the byte tokens in byte order, so "x" is 120 and "y" 121.
        #expect(tokenizer.encode("x<|end|>y", parseSpecial: true) == [120, end, 121])
        #expect(tokenizer.encode("x<|end|>y", parseSpecial: false).count == 9)
        #expect(tokenizer.endOfGenerationIDs == [end])
        #expect(tokenizer.decode(tokenizer.encode("x<|end|>y", parseSpecial: true)) == "xy")
        let ids = tokenizer.encode("x<|end|>y", parseSpecial: true)
        #expect(tokenizer.decode(ids, renderSpecial: true) == "x<|end|>y")
    }

    @Test("unsupported tokenizer models and pre-tokenizers are clear errors")
    func errors() throws {
        #expect(throws: TokenizerError.unsupportedPreTokenizer("llama3")) {
            try Tokenizer(tokens: ["a"], merges: [], preTokenizer: "llama3")
        }
        var writer = GGUFWriter()
        writer.set("tokenizer.ggml.model", .string("llama"))
        let file = try GGUFFile(bytes: writer.encoded())
        #expect(throws: TokenizerError.unsupportedModel("llama")) { try Tokenizer(gguf: file) }
        #expect(throws: TokenizerError.missingMetadata(key: "tokenizer.ggml.model", expected: "a string")) {
            try Tokenizer(gguf: try GGUFFile(bytes: GGUFWriter().encoded()))
        }
    }
}
