import PoUWCore
import PoUWCrypto
import Testing

@Suite("Address")
struct AddressTests {
    let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l1")

    func address(seed: UInt64) -> Address {
        Address(publicKey: KeyPair(seed: seededBytes(count: 32, seed: seed)).publicKey)
    }

    // Known answers from Python: hashlib.blake2b for the bytes, a separate BIP-350 encoder for the text.
    @Test("bytes are the first 20 of BLAKE2b-256(\"pouw/address/v1\" || key); text is their Bech32m")
    func derivation() {
        let key = PublicKey(bytes(hex: rfc8032Vectors[0].publicKey))
        let address = Address(publicKey: key)
        #expect(address.bytes == bytes(hex: "90bcc5e9c2f8016753ef0648b5654e8b0cf7b299"))
        #expect(address.description == "pouw1jz7vt6wzlqqkw5l0qeyt2e2w3vx00v5elgzhtn")
    }

    @Test("the text is pouw1 and 38 lower-case characters, and parses back to the same address")
    func roundTrip() throws {
        for seed: UInt64 in 0..<50 {
            let original = address(seed: seed)
            let text = original.description
            #expect(text.hasPrefix("pouw1"))
            #expect(text.count == Address.textCharacters)
            #expect(text == text.lowercased())
            #expect(try Address(text: text) == original)
        }
    }

    @Test("upper-case text parses to the same address; mixed case is rejected")
    func letterCase() throws {
        let original = address(seed: 1)
        let text = original.description
        #expect(try Address(text: text.uppercased()) == original)
        let mixed = text.prefix(10).uppercased() + text.dropFirst(10)
        #expect(throws: AddressError.mixedCase) { try Address(text: mixed) }
    }

    @Test("every single-character substitution in an address is detected")
    func everySubstitution() {
        let text = Array(address(seed: 2).description)
        var substitutions = 0
        for position in text.indices {
            for replacement in alphabet where replacement != text[position] {
                var altered = text
                altered[position] = replacement
                #expect(throws: AddressError.self, "position \(position) -> \(replacement)") {
                    try Address(text: String(altered))
                }
                substitutions += 1
            }
        }
        #expect(substitutions > 40 * 31)
    }

    @Test("a valid Bech32m string with another prefix is rejected as wrongPrefix")
    func wrongPrefix() {
        let data5 = (0..<32).map { UInt8($0) }
        for hrp in ["pouv", "cosmos", "bc", "pouwx"] {
            #expect(throws: AddressError.wrongPrefix(hrp)) { try Address(text: Bech32m.encode(hrp: hrp, data: data5)) }
        }
    }

    @Test("a valid pouw string of the wrong length is rejected as wrongLength")
    func wrongLength() {
        for count in [0, 31, 33, 40] {
            let text = Bech32m.encode(hrp: "pouw", data: [UInt8](repeating: 3, count: count))
            #expect(throws: AddressError.wrongLength(characters: text.count)) { try Address(text: text) }
        }
    }

    @Test("addresses are distinct per key and usable as set members")
    func hashable() {
        let addresses = Set((0..<20).map { address(seed: $0) })
        #expect(addresses.count == 20)
        #expect(addresses.contains(address(seed: 7)))
    }

    @Test("error messages name the expected form")
    func messages() {
        #expect(AddressError.badChecksum.description.contains("pouw1"))
        #expect(AddressError.wrongPrefix("bc").description.contains("\"bc\""))
    }
}
