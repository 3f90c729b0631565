/// Strict JSON reading for hand-edited files: unknown fields are refused, so a misspelt field is an
/// error rather than a silently ignored line.

/// A coding key for any field name.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

enum JSONFields {
    /// Throws `DecodingError.dataCorrupted` naming the first field of `decoder`'s object not in `known`.
    static func refuseUnknown(_ decoder: any Decoder, known: [String], in object: String) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let knownSet = Set(known)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue })
        where !knownSet.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "unknown field \"\(key.stringValue)\" in \(object); known fields: "
                    + known.joined(separator: ", ")
            ))
        }
    }
}
