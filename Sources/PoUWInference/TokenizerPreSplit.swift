/// How text is cut into words before BPE, reproducing llama.cpp's pre-tokenizers by hand (no regex
/// engine). `gpt2` is the GPT-2 pattern
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// (contractions case-sensitive, `\s` = Unicode White_Space, `\p{L}`/`\p{N}` = general categories L*/N*).
/// `digitsThenGPT2` (llama.cpp's "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone",
/// "minerva") first isolates every `\p{N}` scalar as its own piece, then applies the GPT-2 pattern
/// inside each piece; a match never crosses a piece boundary.
enum PreTokenizer: Sendable {
    case gpt2
    case digitsThenGPT2

    static let namesDigitsThenGPT2: Set<String> = [
        "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva",
    ]
    static let namesGPT2: Set<String> = ["gpt-2", "gpt2", "mpt", "olmo", "jais", "default"]
    static var supportedNames: Set<String> { namesGPT2.union(namesDigitsThenGPT2) }

    init?(name: String) {
        if Self.namesDigitsThenGPT2.contains(name) {
            self = .digitsThenGPT2
        } else if Self.namesGPT2.contains(name) {
            self = .gpt2
        } else {
            return nil
        }
    }

    /// Character classes the GPT-2 pattern distinguishes.
    enum ScalarClass: UInt8 {
        case letter, number, whitespace, other
    }

    static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        let value = scalar.value
        if value < 0x80 {
            switch value {
            case 0x30...0x39: return .number
            case 0x41...0x5A, 0x61...0x7A: return .letter
            case 0x09...0x0D, 0x20: return .whitespace
            default: return .other
            }
        }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    /// Appends the words of `scalars` as index ranges, in order; together they cover every scalar.
    func split(_ scalars: [Unicode.Scalar], into words: inout [Range<Int>]) {
        let classes = scalars.map(Self.classify)
        switch self {
        case .gpt2:
            Self.splitGPT2(scalars, classes, 0..<scalars.count, into: &words)
        case .digitsThenGPT2:
            var pieceStart = 0
            for index in scalars.indices where classes[index] == .number {
                Self.splitGPT2(scalars, classes, pieceStart..<index, into: &words)
                words.append(index..<(index + 1))
                pieceStart = index + 1
            }
            Self.splitGPT2(scalars, classes, pieceStart..<scalars.count, into: &words)
        }
    }

    /// The GPT-2 pattern over `range`, leftmost-first as a backtracking regex engine would match it.
    static func splitGPT2(
        _ scalars: [Unicode.Scalar], _ classes: [ScalarClass], _ range: Range<Int>, into words: inout [Range<Int>]
    ) {
        let end = range.upperBound
        var position = range.lowerBound
        while position < end {
            let length = matchLength(scalars, classes, at: position, end: end)
            words.append(position..<(position + length))
            position += length
        }
    }

    /// Length of the match starting at `position` (always at least 1).
    static func matchLength(_ scalars: [Unicode.Scalar], _ classes: [ScalarClass], at position: Int, end: Int)
        -> Int
    {
        let first = scalars[position]
        if first == "'" && position + 1 < end {
            let second = scalars[position + 1]
            if second == "s" || second == "t" || second == "m" || second == "d" { return 2 }
            if position + 2 < end {
                let third = scalars[position + 2]
                if (second == "r" || second == "v") && third == "e" || second == "l" && third == "l" { return 3 }
            }
        }
        // ` ?X+`: an optional leading space (U+0020 only) then a run of one class.
        let hasSpace = first == " "
        let leadIndex = hasSpace ? position + 1 : position
        if leadIndex < end {
            let lead = classes[leadIndex]
            if lead != .whitespace {
                var cursor = leadIndex + 1
                while cursor < end && classes[cursor] == lead { cursor += 1 }
                return cursor - position
            }
        }
        // `\s+(?!\S)` then `\s+`: a whitespace run, less its last scalar when a non-space follows.
        var cursor = position
        while cursor < end && classes[cursor] == .whitespace { cursor += 1 }
        let run = cursor - position
        if run > 1 && cursor < end { return run - 1 }
        return max(run, 1)
    }
}
