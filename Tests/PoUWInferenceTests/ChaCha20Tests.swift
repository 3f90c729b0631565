import PoUWInference
import Testing

@Suite struct ChaCha20Tests {
    @Test("the block function reproduces the RFC 8439 §2.3.2 test vector")
    func rfc8439BlockVector() {
        let key = ChaCha20.words((0..<32).map { UInt8($0) })
        let nonce = ChaCha20.words([0, 0, 0, 0x09, 0, 0, 0, 0x4A, 0, 0, 0, 0])
        let expected: [UInt32] = [
            0xE4E7_F110, 0x1559_3BD1, 0x1FDD_0F50, 0xC471_20A3, 0xC7F4_D1C7, 0x0368_C033, 0x9AAA_2204, 0x4E6C_D4C3,
            0x4664_82D2, 0x09AA_9F07, 0x05D7_C214, 0xA202_8BD9, 0xD19C_12B5, 0xB94E_16DE, 0xE883_D0CB, 0x4E3C_50A2,
        ]
        #expect(ChaCha20.block(key: key, counter: 1, nonce: nonce) == expected)
        let bytes = ChaCha20.blockBytes(key: key, counter: 1, nonce: nonce)
        #expect(Array(bytes.prefix(8)) == [0x10, 0xF1, 0xE7, 0xE4, 0xD1, 0x3B, 0x59, 0x15])
        #expect(Array(bytes.suffix(4)) == [0xA2, 0x50, 0x3C, 0x4E])
    }

    @Test("the RFC 8439 §2.4.2 keystream blocks 1 and 2 match the start of its ciphertext")
    func rfc8439KeystreamBlocks() {
        let key = ChaCha20.words((0..<32).map { UInt8($0) })
        let nonce = ChaCha20.words([0, 0, 0, 0, 0, 0, 0, 0x4A, 0, 0, 0, 0])
        let plaintext = Array("Ladies and Gentlemen of the class of '99: If I could offer you only one tip ".utf8)
        let keystream = ChaCha20.blockBytes(key: key, counter: 1, nonce: nonce)
            + ChaCha20.blockBytes(key: key, counter: 2, nonce: nonce)
        let ciphertext = zip(plaintext, keystream).map { $0 ^ $1 }
        #expect(Array(ciphertext.prefix(16)) == [
            0x6E, 0x2E, 0x35, 0x9A, 0x25, 0x68, 0xF9, 0x80, 0x41, 0xBA, 0x07, 0x28, 0xDD, 0x0D, 0x69, 0x81,
        ])
    }
}
