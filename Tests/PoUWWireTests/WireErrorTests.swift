import PoUWWire
import Testing

@Suite struct WireErrorTests {
    static let errors: [(WireError, [String])] = [
        (.truncated(needed: 40, remaining: 3), ["truncated", "40", "3"]),
        (.varintOverflow, ["varint", "64 bits"]),
        (.nonCanonicalVarint, ["non-canonical", "minimal"]),
        (.lengthExceeded(field: "SignedEnvelope.chainId", max: 64, actual: 65), ["SignedEnvelope.chainId", "64", "65"]),
        (.invalidUTF8(field: "PeerRecord.addresses[]"), ["PeerRecord.addresses[]", "UTF-8"]),
        (.invalidBool(byte: 0x2a), ["bool", "0x2a"]),
        (.invalidEnum(type: "MessageKind", raw: 9), ["MessageKind", "9"]),
        (.trailingBytes(count: 5), ["5 trailing bytes"]),
        (.unsupportedVersion(got: 2, supported: 1), ["version 2", "version 1"]),
        (.invalidValue(field: "MerkleProof", reason: "leafIndex 5 is not below leafCount 5"), ["MerkleProof", "below"]),
    ]

    @Test("every error's description names what went wrong and where")
    func descriptions() {
        for (error, fragments) in Self.errors {
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\(error.description) lacks \(fragment)")
            }
        }
        #expect(Set(Self.errors.map(\.0.description)).count == Self.errors.count)
    }
}
