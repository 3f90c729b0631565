/// A strict subset of TOML v1.0, enough for `config.toml`: `[section]` headers, `key = value` with
/// basic strings ("..." with \" \\ \n \t \r escapes), integers, booleans and arrays of strings,
/// `#` comments. Anything else is a `TOMLError` naming the line, never a silent default.

/// One value of the subset.
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case strings([String])
}

/// A parse failure, with the 1-based line it happened on.
public struct TOMLError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// A parsed document: section name ("" for keys before any header) → key → value.
public struct TOMLDocument: Equatable, Sendable {
    public private(set) var sections: [String: [String: TOMLValue]] = [:]
    /// Section names in first-seen order, for rendering.
    public private(set) var order: [String] = []

    public init() {}

    public subscript(section: String, key: String) -> TOMLValue? {
        sections[section]?[key]
    }

    public mutating func set(_ section: String, _ key: String, _ value: TOMLValue) {
        if sections[section] == nil { order.append(section) }
        sections[section, default: [:]][key] = value
    }

    /// Parses `text`; duplicate sections or keys are errors, as in TOML.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLDocument {
        var doc = TOMLDocument()
        var section = ""
        var seenSections: Set<String> = [""]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var scanner = Scanner(Array(rawLine.utf8), line: lineNumber)
            scanner.skipSpaces()
            if scanner.atEndOrComment { continue }
            if scanner.peek == UInt8(ascii: "[") {
                section = try scanner.sectionHeader()
                guard seenSections.insert(section).inserted else {
                    throw TOMLError(line: lineNumber, reason: "section [\(section)] appears twice")
                }
                continue
            }
            let key = try scanner.bareKey()
            scanner.skipSpaces()
            try scanner.expect(UInt8(ascii: "="), "expected '=' after key '\(key)'")
            scanner.skipSpaces()
            let value = try scanner.value()
            scanner.skipSpaces()
            guard scanner.atEndOrComment else {
                throw TOMLError(line: lineNumber, reason: "unexpected text after the value of '\(key)'")
            }
            guard doc[section, key] == nil else {
                throw TOMLError(line: lineNumber, reason: "key '\(key)' appears twice in [\(section)]")
            }
            doc.set(section, key, value)
        }
        return doc
    }

    /// Renders the document; keys sorted within each section so output is deterministic.
    public func render() -> String {
        var out = ""
        for section in order {
            guard let entries = sections[section] else { continue }
            if !section.isEmpty { out += out.isEmpty ? "[\(section)]\n" : "\n[\(section)]\n" }
            for key in entries.keys.sorted() {
                out += "\(key) = \(TOMLDocument.render(entries[key]!))\n"
            }
        }
        return out
    }

    static func render(_ value: TOMLValue) -> String {
        switch value {
        case .string(let s): return quote(s)
        case .integer(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .strings(let items): return "[" + items.map(quote).joined(separator: ", ") + "]"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }
}

/// Byte scanner over one line.
private struct Scanner {
    let bytes: [UInt8]
    let line: Int
    var index = 0

    init(_ bytes: [UInt8], line: Int) {
        self.bytes = bytes
        self.line = line
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    var atEndOrComment: Bool { peek == nil || peek == UInt8(ascii: "#") || peek == UInt8(ascii: "\r") }

    func fail(_ reason: String) -> TOMLError { TOMLError(line: line, reason: reason) }

    mutating func skipSpaces() {
        while let c = peek, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { index += 1 }
    }

    mutating func expect(_ c: UInt8, _ reason: String) throws(TOMLError) {
        guard peek == c else { throw fail(reason) }
        index += 1
    }

    static func isBare(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
            || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }

    mutating func bareKey() throws(TOMLError) -> String {
        let start = index
        while let c = peek, Scanner.isBare(c) { index += 1 }
        guard index > start else { throw fail("expected a key (letters, digits, '_', '-', '.')") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func sectionHeader() throws(TOMLError) -> String {
        index += 1
        skipSpaces()
        let name = try bareKey()
        skipSpaces()
        try expect(UInt8(ascii: "]"), "expected ']' to close the section header")
        skipSpaces()
        guard atEndOrComment else { throw fail("unexpected text after section header") }
        return name
    }

    mutating func value() throws(TOMLError) -> TOMLValue {
        guard let c = peek else { throw fail("missing value") }
        switch c {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "["): return .strings(try stringArray())
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            let word = try bareKey()
            switch word {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw fail("unknown value '\(word)' (strings need double quotes)")
            }
        default: return .integer(try integer())
        }
    }

    mutating func integer() throws(TOMLError) -> Int64 {
        let start = index
        if peek == UInt8(ascii: "-") || peek == UInt8(ascii: "+") { index += 1 }
        while let c = peek, (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "_") { index += 1 }
        let text = String(decoding: bytes[start..<index], as: UTF8.self).replacingUnderscores()
        guard let value = Int64(text) else { throw fail("expected a string, integer, boolean or array") }
        return value
    }

    mutating func string() throws(TOMLError) -> String {
        index += 1
        var out = [UInt8]()
        while true {
            guard let c = peek else { throw fail("unterminated string") }
            index += 1
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") {
                guard let e = peek else { throw fail("unterminated escape") }
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(e)
                case UInt8(ascii: "\\"): out.append(e)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0d)
                default: throw fail("unsupported escape '\\\(Character(Unicode.Scalar(e)))'")
                }
            } else {
                out.append(c)
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
        return text
    }

    mutating func stringArray() throws(TOMLError) -> [String] {
        index += 1
        var items = [String]()
        while true {
            skipSpaces()
            if peek == UInt8(ascii: "]") { index += 1; return items }
            guard peek == UInt8(ascii: "\"") else { throw fail("arrays may hold only double-quoted strings") }
            items.append(try string())
            skipSpaces()
            if peek == UInt8(ascii: ",") { index += 1; continue }
            try expect(UInt8(ascii: "]"), "expected ',' or ']' in array")
            return items
        }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(self.filter { $0 != "_" }) }
}
