/// Byte-level BPE tokenizer built from GGUF metadata (`tokenizer.ggml.*`), reproducing llama.cpp's
/// tokenization: special tokens are cut out of the text first (longest first, when asked), then each
/// remaining piece is pre-split into words (`PreTokenizer`) and each word is merged by BPE.
///
/// Ids are `Int` in `0..<vocabularySize`. Immutable and safe to share between threads.
public struct Tokenizer: Sendable {
    /// `tokenizer.ggml.token_type` values.
    public enum TokenKind: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// Largest vocabulary accepted.
    public static let vocabularySizeMax = 1 << 22

    public let vocabularySize: Int
    /// `tokenizer.ggml.bos_token_id`, if present.
    public let bosID: Int?
    /// `tokenizer.ggml.eos_token_id`, if present.
    public let eosID: Int?
    /// `tokenizer.ggml.add_bos_token` (false when absent). `encode` never adds BOS itself.
    public let addsBOS: Bool
    /// Tokens after which generation stops: eos, eot and the end-of-turn/FIM tokens llama.cpp recognises.
    public let endOfGenerationIDs: Set<Int>

    private let texts: [String]
    private let kinds: [TokenKind]
    private let idByText: [String: Int32]
    /// Decoded bytes of every token, back to back; token i is `pieceBytes[pieceStarts[i]..<pieceStarts[i+1]]`.
    private let pieceBytes: [UInt8]
    private let pieceStarts: [Int]
    /// Tokens cut out of text before BPE: (UTF-8 bytes, id), longest first, then lowest id.
    private let specialTokens: [(bytes: [UInt8], id: Int, kind: TokenKind)]
    private let preTokenizer: PreTokenizer
    private let bpe: TokenizerBPE

    /// Texts llama.cpp treats as end of generation wherever they appear in a vocabulary.
    static let endOfGenerationTexts: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>", "_<EOT>",
        "<|end_of_text|>", "<｜end▁of▁sentence｜>", "<|fim_pad|>", "<|fim_repo|>", "<|repo_name|>",
        "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>", "<fim-pad>", "<PAD>",
    ]

    /// Builds the tokenizer from a model's metadata.
    public init(gguf file: GGUFFile) throws(TokenizerError) {
        let metadata = file.metadata
        guard let model = metadata["tokenizer.ggml.model"]?.string else {
            throw .missingMetadata(key: "tokenizer.ggml.model", expected: "a string")
        }
        guard model == "gpt2" else { throw .unsupportedModel(model) }
        let tokens = try Self.strings(metadata, "tokenizer.ggml.tokens")
        let merges = try Self.strings(metadata, "tokenizer.ggml.merges")
        var kinds: [TokenKind]?
        if let raw = metadata["tokenizer.ggml.token_type"]?.array {
            kinds = raw.map { $0.int.flatMap { TokenKind(rawValue: Int32(truncatingIfNeeded: $0)) } ?? .normal }
        }
        let pre = metadata["tokenizer.ggml.pre"]?.string ?? "default"
        func id(_ key: String) throws(TokenizerError) -> Int? {
            guard let value = metadata[key] else { return nil }
            guard let id = value.int else { throw .missingMetadata(key: key, expected: "an integer") }
            guard id >= 0 && id < tokens.count else { throw .invalidTokenID(key: key, id: id) }
            return id
        }
        var extraEndIDs: [Int] = []
        if let eot = try id("tokenizer.ggml.eot_token_id") { extraEndIDs.append(eot) }
        try self.init(
            tokens: tokens, merges: merges, kinds: kinds, preTokenizer: pre,
            bosID: try id("tokenizer.ggml.bos_token_id"), eosID: try id("tokenizer.ggml.eos_token_id"),
            addsBOS: metadata["tokenizer.ggml.add_bos_token"]?.bool ?? false, extraEndIDs: extraEndIDs)
    }

    /// Bytes with no single-byte token. Text containing them loses them in `encode` (unless a merge
    /// covers them), exactly as llama.cpp does; every other text round-trips through encode/decode.
    public var bytesWithoutToken: [UInt8] { (0...255).filter { bpe.byteTokens[$0] < 0 }.map { UInt8($0) } }

    /// Builds a tokenizer from its parts: vocabulary strings in GPT-2 byte spelling, merges as
    /// "left right", optional token kinds (default all normal) and a llama.cpp pre-tokenizer name.
    public init(
        tokens: [String], merges: [String], kinds: [TokenKind]? = nil, preTokenizer: String,
        bosID: Int? = nil, eosID: Int? = nil, addsBOS: Bool = false, extraEndIDs: [Int] = []
    ) throws(TokenizerError) {
        guard !tokens.isEmpty && tokens.count <= Self.vocabularySizeMax else {
            throw .invalidVocabulary("\(tokens.count) tokens; expected 1...\(Self.vocabularySizeMax)")
        }
        let kinds = kinds ?? Array(repeating: .normal, count: tokens.count)
        guard kinds.count == tokens.count else {
            throw .invalidVocabulary("\(kinds.count) token types for \(tokens.count) tokens")
        }
        guard let pre = PreTokenizer(name: preTokenizer) else { throw .unsupportedPreTokenizer(preTokenizer) }
        for (key, id) in [("bos", bosID), ("eos", eosID)] + extraEndIDs.map({ ("end", $0) }) {
            if let id, id < 0 || id >= tokens.count { throw .invalidTokenID(key: key, id: id) }
        }
        var idByText: [String: Int32] = [:]
        idByText.reserveCapacity(tokens.count)
        for (id, text) in tokens.enumerated() where idByText[text] == nil { idByText[text] = Int32(id) }

        let byteTokens = (0...255).map { idByText[String(TokenizerByteMap.scalarForByte[$0])] ?? -1 }
        guard byteTokens.contains(where: { $0 >= 0 }) else {
            throw .invalidVocabulary("no token spells a single byte; this is not a byte-level BPE vocabulary")
        }
        self.bpe = TokenizerBPE(merges: Self.mergeTable(merges, idByText), byteTokens: byteTokens)

        var pieceBytes: [UInt8] = []
        var pieceStarts: [Int] = [0]
        pieceStarts.reserveCapacity(tokens.count + 1)
        for (text, kind) in zip(tokens, kinds) {
            if kind == .normal || kind == .byte {
                Self.appendDecoded(text, to: &pieceBytes)
            } else {
                pieceBytes.append(contentsOf: text.utf8)
            }
            pieceStarts.append(pieceBytes.count)
        }
        var special: [(bytes: [UInt8], id: Int, kind: TokenKind)] = []
        for (id, kind) in kinds.enumerated()
        where (kind == .control || kind == .userDefined || kind == .unknown) && !tokens[id].isEmpty {
            special.append((bytes: Array(tokens[id].utf8), id: id, kind: kind))
        }
        special.sort { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }

        var endIDs = Set(extraEndIDs)
        if let eosID { endIDs.insert(eosID) }
        for (id, text) in tokens.enumerated() where kinds[id] != .normal && Self.endOfGenerationTexts.contains(text) {
            endIDs.insert(id)
        }
        self.vocabularySize = tokens.count
        self.bosID = bosID
        self.eosID = eosID
        self.addsBOS = addsBOS
        self.endOfGenerationIDs = endIDs
        self.texts = tokens
        self.kinds = kinds
        self.idByText = idByText
        self.pieceBytes = pieceBytes
        self.pieceStarts = pieceStarts
        self.specialTokens = special
        self.preTokenizer = pre
    }

    private static func strings(_ metadata: [String: GGUFValue], _ key: String) throws(TokenizerError) -> [String] {
        guard let array = metadata[key]?.array else { throw .missingMetadata(key: key, expected: "an array") }
        var out: [String] = []
        out.reserveCapacity(array.count)
        for value in array {
            guard let text = value.string else { throw .missingMetadata(key: key, expected: "an array of strings") }
            out.append(text)
        }
        return out
    }

    /// Ranks merges by position. A merge whose parts or result are not tokens can never apply to
    /// token ids and is skipped.
    private static func mergeTable(_ merges: [String], _ idByText: [String: Int32]) -> [UInt64: UInt64] {
        var table: [UInt64: UInt64] = [:]
        table.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() {
            let scalars = merge.unicodeScalars
            // The separator is the first space after the first scalar (as llama.cpp splits merges).
            guard let first = scalars.indices.dropFirst().first(where: { scalars[$0] == " " }) else { continue }
            let left = String(scalars[..<first])
            let right = String(scalars[scalars.index(after: first)...])
            guard let leftID = idByText[left], let rightID = idByText[right], let merged = idByText[left + right]
            else { continue }
            let key = UInt64(UInt32(leftID)) << 32 | UInt64(UInt32(rightID))
            if table[key] == nil { table[key] = UInt64(rank) << 32 | UInt64(UInt32(merged)) }
        }
        return table
    }

    /// Appends the raw bytes a byte-level token spells (scalars outside the byte map as their UTF-8).
    private static func appendDecoded(_ text: String, to out: inout [UInt8]) {
        for scalar in text.unicodeScalars {
            if let byte = TokenizerByteMap.byte(for: scalar) {
                out.append(byte)
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
    }
}

extension Tokenizer {
    /// The token ids of `text`. With `parseSpecial`, control tokens written in the text (such as
    /// `<|im_start|>`) become their ids; user-defined tokens always do, as in llama.cpp. Never adds BOS.
    public func encode(_ text: String, parseSpecial: Bool) -> [Int] {
        let bytes = Array(text.utf8)
        var out: [Int] = []
        out.reserveCapacity(bytes.count / 3 + 1)
        for fragment in partition(bytes, parseSpecial: parseSpecial) {
            switch fragment {
            case let .special(id): out.append(id)
            case let .text(range): encodePlain(bytes[range], into: &out)
            }
        }
        return out
    }

    private enum Fragment {
        case text(Range<Int>)
        case special(Int)
    }

    /// Cuts special tokens out of the text: each special token in turn (longest first) splits every
    /// remaining text fragment at each of its occurrences, left to right.
    private func partition(_ bytes: [UInt8], parseSpecial: Bool) -> [Fragment] {
        var fragments: [Fragment] = bytes.isEmpty ? [] : [.text(0..<bytes.count)]
        for special in specialTokens where parseSpecial || special.kind == .userDefined {
            var next: [Fragment] = []
            next.reserveCapacity(fragments.count)
            for fragment in fragments {
                guard case let .text(range) = fragment else {
                    next.append(fragment)
                    continue
                }
                var start = range.lowerBound
                var cursor = range.lowerBound
                while let found = Self.find(special.bytes, in: bytes, from: cursor, before: range.upperBound) {
                    if found > start { next.append(.text(start..<found)) }
                    next.append(.special(special.id))
                    start = found + special.bytes.count
                    cursor = start
                }
                if start < range.upperBound { next.append(.text(start..<range.upperBound)) }
            }
            fragments = next
        }
        return fragments
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int, before end: Int) -> Int? {
        guard let head = needle.first, end - start >= needle.count else { return nil }
        var index = start
        let last = end - needle.count
        while index <= last {
            if haystack[index] == head && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Pre-splits plain text (no special tokens) into words and merges each word.
    private func encodePlain(_ bytes: ArraySlice<UInt8>, into out: inout [Int]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let scalars = Array(text.unicodeScalars)
        var byteOffsets: [Int] = [0]
        byteOffsets.reserveCapacity(scalars.count + 1)
        for scalar in scalars { byteOffsets.append(byteOffsets[byteOffsets.count - 1] + UTF8.width(scalar)) }
        let utf8 = Array(bytes)
        var words: [Range<Int>] = []
        preTokenizer.split(scalars, into: &words)
        for word in words {
            bpe.encode(utf8[byteOffsets[word.lowerBound]..<byteOffsets[word.upperBound]], into: &out)
        }
    }
}

extension Tokenizer {
    /// Whether `id` names a token of this vocabulary.
    public func contains(_ id: Int) -> Bool { id >= 0 && id < vocabularySize }

    /// The token's vocabulary string (byte-level spelling for normal tokens). `id` must be valid.
    public func text(of id: Int) -> String {
        precondition(contains(id), "token id \(id) outside the vocabulary of \(vocabularySize)")
        return texts[id]
    }

    /// The token's kind. `id` must be valid.
    public func kind(of id: Int) -> TokenKind {
        precondition(contains(id), "token id \(id) outside the vocabulary of \(vocabularySize)")
        return kinds[id]
    }

    /// The id of a vocabulary string, if any.
    public func id(of text: String) -> Int? { idByText[text].map(Int.init) }

    /// Whether the token is shown only when special tokens are rendered (control, unknown, unused).
    public func isSpecial(_ id: Int) -> Bool {
        let kind = kind(of: id)
        return kind == .control || kind == .unknown || kind == .unused
    }

    /// The raw bytes of the tokens, possibly ending inside a UTF-8 sequence. Special tokens are
    /// included (as their text) only when `renderSpecial`. Every id must be valid.
    public func decodeBytes(_ ids: [Int], renderSpecial: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids { appendBytes(of: id, renderSpecial: renderSpecial, to: &out) }
        return out
    }

    /// The text of the tokens; invalid UTF-8 (a sequence cut at the end) becomes U+FFFD.
    public func decode(_ ids: [Int], renderSpecial: Bool = false) -> String {
        String(decoding: decodeBytes(ids, renderSpecial: renderSpecial), as: UTF8.self)
    }

    /// Appends one token's bytes.
    public func appendBytes(of id: Int, renderSpecial: Bool, to out: inout [UInt8]) {
        precondition(contains(id), "token id \(id) outside the vocabulary of \(vocabularySize)")
        if !renderSpecial && isSpecial(id) { return }
        out.append(contentsOf: pieceBytes[pieceStarts[id]..<pieceStarts[id + 1]])
    }
}

/// Part of a prompt for `Tokenizer.encode(pieces:)`.
public enum TokenizerPiece: Sendable, Equatable {
    /// Plain text; special-token text inside it stays text (user-defined tokens still match).
    case text(String)
    /// The text of one token of the vocabulary (for example `<|im_start|>`), encoded as that token.
    case special(String)
}

extension Tokenizer {
    /// Encodes a prompt built from pieces. Adjacent text pieces are joined before tokenizing, so the
    /// result equals `encode(joinedText, parseSpecial: true)` whenever the text pieces contain no
    /// special-token text. Returns nil when a `.special` piece names no token.
    public func encode(pieces: [TokenizerPiece]) -> [Int]? {
        var out: [Int] = []
        var text = ""
        for piece in pieces {
            switch piece {
            case let .text(content):
                text += content
            case let .special(name):
                guard let id = id(of: name) else { return nil }
                out += encode(text, parseSpecial: false)
                text = ""
                out.append(id)
            }
        }
        out += encode(text, parseSpecial: false)
        return out
    }
}
