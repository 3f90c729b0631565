/// Turns generated tokens into text as they arrive. A token may end inside a multi-byte UTF-8
/// character; those bytes are held back until the character is complete, so every string returned
/// is valid and the concatenation of all of them equals `tokenizer.decode(allIDs)`.
public struct TokenizerStream: Sendable {
    public let tokenizer: Tokenizer
    public let renderSpecial: Bool
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// The text completed by `id` (possibly empty).
    public mutating func append(_ id: Int) -> String {
        tokenizer.appendBytes(of: id, renderSpecial: renderSpecial, to: &pending)
        let complete = Self.completePrefixLength(pending)
        guard complete > 0 else { return "" }
        let text = String(decoding: pending[0..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Whatever is still held back, with an incomplete final sequence as U+FFFD; resets the stream.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix that does not end inside a UTF-8 sequence that may still be
    /// completed. Invalid bytes are let through (they decode to U+FFFD).
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        // A sequence is at most 4 bytes, so only the last 3 bytes can belong to an unfinished one.
        var index = bytes.count - 1
        let lowest = max(0, bytes.count - 3)
        while index >= lowest {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 {
                let needed: Int
                switch byte {
                case 0xC2...0xDF: needed = 2
                case 0xE0...0xEF: needed = 3
                case 0xF0...0xF4: needed = 4
                default: return bytes.count  // ASCII or invalid lead: nothing to wait for
                }
                return bytes.count - index < needed ? index : bytes.count
            }
            index -= 1
        }
        return bytes.count
    }
}
