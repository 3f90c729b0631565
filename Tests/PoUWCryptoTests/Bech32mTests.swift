import PoUWCrypto
import Testing

/// BIP-350's valid Bech32m strings.
let bip350Valid = [
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
]

/// BIP-350's invalid Bech32m strings with the error each must give, plus a valid Bech32 (not
/// Bech32m) string and a mixed-case one.
let bip350Invalid: [(String, AddressError)] = [
    ("\u{20}1xj0phk", .invalidCharacter(position: 0)),
    ("\u{7F}1g6xzxy", .invalidCharacter(position: 0)),
    ("\u{80}1vctc34", .invalidCharacter(position: 0)),
    ("an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
     .wrongLength(characters: 91)),
    ("qyrz8wqd2c9m", .missingSeparator),
    ("1qyrz8wqd2c9m", .emptyPrefix),
    ("y1b0jsk6g", .invalidCharacter(position: 2)),
    ("lt1igcx5c0", .invalidCharacter(position: 3)),
    ("in1muywd", .wrongLength(characters: 8)),
    ("mm1crxm3i", .invalidCharacter(position: 8)),
    ("au1s5cgom", .invalidCharacter(position: 7)),
    ("M1VUXWEZ", .badChecksum),
    ("16plkw9", .emptyPrefix),
    ("1p2gdwpf", .emptyPrefix),
    ("A12UEL5L", .badChecksum),
    ("a1LQFN3A", .mixedCase),
]

@Suite("Bech32m")
struct Bech32mTests {
    @Test("BIP-350 valid strings decode and re-encode to their lower-case form", arguments: bip350Valid)
    func valid(text: String) throws {
        let (hrp, data) = try Bech32m.decode(text)
        #expect(Bech32m.encode(hrp: hrp, data: data) == text.lowercased())
    }

    @Test("BIP-350 invalid strings are rejected with the right error", arguments: bip350Invalid)
    func invalid(text: String, error: AddressError) {
        #expect(throws: error) { try Bech32m.decode(text) }
    }

    @Test("encoding BIP-350's abcdef vector gives its published string")
    func encodeVector() {
        let data = (0..<32).map { UInt8(31 - $0) }
        #expect(Bech32m.encode(hrp: "abcdef", data: data) == "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx")
    }
}
