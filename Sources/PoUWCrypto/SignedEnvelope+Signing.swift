/// Making and checking PoUWCore's `SignedEnvelope` with domain-separated signatures.
public import PoUWCore

extension SignedEnvelope {
    /// An envelope carrying `payload`, signed by `keyPair` as a message of `kind` on `chainId`.
    /// - Precondition: `chainId` is a valid chain id (see `SigningDomain`).
    public init(signing payload: [UInt8], kind: MessageKind, chainId: String, by keyPair: KeyPair) {
        let signature = keyPair.sign(payload: payload, kind: kind, chainId: chainId)
        self.init(chainId: chainId, kind: kind, payload: payload, signer: keyPair.publicKey, signature: signature)
    }

    /// Accepts the envelope only if it is for `chainId`, is of `kind`, names a valid signer key and
    /// carries that key's signature over (chain id, kind, payload).
    /// - Throws: the first failing check, in this order: `.wrongChain`, `.wrongKind`,
    ///   `.invalidPublicKey`, `.badSignature`.
    /// - Precondition: `chainId` is a valid chain id (see `SigningDomain`).
    public func verify(chainId expectedChainId: String, kind expectedKind: MessageKind) throws(CryptoError) {
        // Byte equality, not String's Unicode equivalence: the chain id is signed as UTF-8 bytes.
        guard chainId.utf8.elementsEqual(expectedChainId.utf8) else {
            throw .wrongChain(expected: expectedChainId, actual: chainId)
        }
        guard kind == expectedKind else { throw .wrongKind(expected: expectedKind, actual: kind) }
        try Ed25519.verify(signature, payload: payload, kind: expectedKind, chainId: expectedChainId, publicKey: signer)
    }
}
