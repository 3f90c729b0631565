import PoUWChain
import PoUWCore
import PoUWCrypto

/// Keys and a small well-formed receipt shared by the receipt suites.
enum ReceiptFixture {
    static let host = Genesis.devnetKeyPair(index: 0)
    static let gateway = Genesis.devnetKeyPair(index: 1)
    static let customer = Genesis.devnetKeyPair(index: 2)

    static func filled(_ byte: UInt8) -> Hash32 { Hash32([UInt8](repeating: byte, count: 32)) }

    /// A receipt between the devnet keys on "pouw-test".
    static func receipt(chainId: String = "pouw-test", price: UInt64 = 5) -> InferenceReceipt {
        InferenceReceipt(
            chainId: chainId, requestId: InferenceRequestId([UInt8](repeating: 0x0f, count: 16)),
            customer: customer.publicKey, host: host.publicKey, gateway: gateway.publicKey, model: "smollm2-135m",
            promptHash: InferenceReceipt.tokenHash([1, 2, 3]), outputHash: InferenceReceipt.tokenHash([4, 5]),
            promptTokens: 3, completionTokens: 2,
            sampling: ReceiptSampling(temperatureMilli: 700, topPMilli: 950, topK: 40, seed: 258, maxTokens: 16),
            logprobRoot: filled(0x66), logprobK: 2, pricePerToken: price, epoch: 7,
            servedAtMilliseconds: 1_700_000_000_000
        )
    }

    static func signed(_ receipt: InferenceReceipt = receipt()) -> SignedReceipt {
        SignedReceipt.sign(receipt, host: host, gateway: gateway)
    }
}
