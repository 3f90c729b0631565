/// Bech32m (BIP-350), the checksummed text encoding of addresses.
///
/// A string is `hrp` `1` `data` `checksum`: a human-readable prefix of 1 ... 83 printable ASCII
/// characters, the separator "1" (the last "1" in the string), the data as 5-bit values written
/// with the alphabet `qpzry9x8gf2tvdw0s3jn54khce6mua7l`, and 6 checksum characters. At most 90
/// characters, all lower case or all upper case; the encoder writes lower case.
///
/// The checksum is BCH code over GF(32) (BIP-173's `polymod`) of the expanded prefix and the data,
/// XORed with Bech32m's constant 0x2bc830a3 (Bech32 used 1). It detects every error in up to 4
/// characters, so any single mistyped character is caught.
public enum Bech32m {
    /// Longest string, in characters.
    public static let textCharactersMax = 90
    /// Checksum length, in characters.
    public static let checksumCharacters = 6

    private static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let alphabetIndex: [Int8] = {
        var index = [Int8](repeating: -1, count: 128)
        for (value, character) in alphabet.enumerated() { index[Int(character)] = Int8(value) }
        return index
    }()
    private static let checksumConstant: UInt32 = 0x2bc8_30a3
    private static let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
    private static let separator = UInt8(ascii: "1")

    /// The Bech32m string of `hrp` and the 5-bit values `data`.
    /// - Precondition: `hrp` is 1 ... 83 printable ASCII characters without upper case; every value
    ///   of `data` is below 32; the result has at most `textCharactersMax` characters.
    public static func encode(hrp: String, data: [UInt8]) -> String {
        let prefix = Array(hrp.utf8)
        precondition(!prefix.isEmpty && prefix.allSatisfy { (33...126).contains($0) && !isUpper($0) },
                     "bech32m prefix must be printable lower-case ASCII: \(hrp)")
        precondition(data.allSatisfy { $0 < 32 }, "bech32m data values are 5-bit")
        precondition(prefix.count + 1 + data.count + checksumCharacters <= textCharactersMax,
                     "bech32m string longer than \(textCharactersMax) characters")
        var text = prefix
        text.append(separator)
        for value in data + checksum(prefix: prefix, data: data) { text.append(alphabet[Int(value)]) }
        return String(decoding: text, as: UTF8.self)
    }

    /// The prefix (lower-cased) and 5-bit data of a Bech32m string.
    /// - Throws: `.wrongLength` (over 90 characters, or fewer than 6 after the separator),
    ///   `.invalidCharacter` (outside printable ASCII, or outside the alphabet after the separator),
    ///   `.mixedCase`, `.missingSeparator`, `.emptyPrefix`, `.badChecksum`.
    public static func decode(_ text: String) throws(AddressError) -> (hrp: String, data: [UInt8]) {
        let bytes = Array(text.utf8)
        guard bytes.count <= textCharactersMax else { throw .wrongLength(characters: text.count) }
        if let bad = bytes.firstIndex(where: { !(33...126).contains($0) }) { throw .invalidCharacter(position: bad) }
        guard !(bytes.contains(where: isUpper) && bytes.contains(where: isLower)) else { throw .mixedCase }
        let lower = bytes.map { isUpper($0) ? $0 + 32 : $0 }
        guard let split = lower.lastIndex(of: separator) else { throw .missingSeparator }
        guard split > 0 else { throw .emptyPrefix }
        guard lower.count - split - 1 >= checksumCharacters else { throw .wrongLength(characters: bytes.count) }
        var values = [UInt8]()
        values.reserveCapacity(lower.count - split - 1)
        for position in (split + 1)..<lower.count {
            let value = alphabetIndex[Int(lower[position])]
            guard value >= 0 else { throw .invalidCharacter(position: position) }
            values.append(UInt8(value))
        }
        let prefix = Array(lower[..<split])
        guard polymod(expand(prefix) + values) == checksumConstant else { throw .badChecksum }
        return (String(decoding: prefix, as: UTF8.self), Array(values.dropLast(checksumCharacters)))
    }

    /// Regroups a bit string from `fromBits`-bit values to `toBits`-bit values, big-endian
    /// (BIP-173's `convertbits`). With `pad`, a last partial group is zero-filled; without, leftover
    /// bits must be fewer than `fromBits` and zero, else `nil`.
    static func regroup(_ values: [UInt8], fromBits: Int, toBits: Int, pad: Bool) -> [UInt8]? {
        var accumulator: UInt32 = 0
        var bits = 0
        let mask: UInt32 = (1 << toBits) - 1
        var out = [UInt8]()
        out.reserveCapacity(values.count * fromBits / toBits + 1)
        for value in values {
            guard value >> fromBits == 0 else { return nil }
            accumulator = (accumulator << fromBits) | UInt32(value)
            bits += fromBits
            while bits >= toBits {
                bits -= toBits
                out.append(UInt8((accumulator >> bits) & mask))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8((accumulator << (toBits - bits)) & mask)) }
        } else if bits >= fromBits || (accumulator << (toBits - bits)) & mask != 0 {
            return nil
        }
        return out
    }

    private static func checksum(prefix: [UInt8], data: [UInt8]) -> [UInt8] {
        let padding = [UInt8](repeating: 0, count: checksumCharacters)
        let residue = polymod(expand(prefix) + data + padding) ^ checksumConstant
        return (0..<checksumCharacters).map { UInt8((residue >> (5 * (5 - UInt32($0)))) & 31) }
    }

    /// BIP-173's prefix expansion: high bits of each character, a zero, low bits of each character.
    private static func expand(_ prefix: [UInt8]) -> [UInt8] {
        prefix.map { $0 >> 5 } + [0] + prefix.map { $0 & 31 }
    }

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = ((checksum & 0x1ff_ffff) << 5) ^ UInt32(value)
            for (bit, term) in generator.enumerated() where (top >> UInt32(bit)) & 1 == 1 {
                checksum ^= term
            }
        }
        return checksum
    }

    private static func isUpper(_ byte: UInt8) -> Bool { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) }
    private static func isLower(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
}
