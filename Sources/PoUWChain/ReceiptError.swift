/// Why a receipt, its signatures, a logprob commitment or a receipt batch was refused. Each case says
/// what was wrong and what to do.
public import PoUWCore

public enum ReceiptError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The receipt was made for another chain.
    case wrongChainId(expected: String, actual: String)
    /// The host's signature over the receipt body does not verify under `receipt.host` (or that key is
    /// not a valid Ed25519 point).
    case badHostSignature(receipt: Hash32)
    /// The gateway's co-signature over (body ‖ host signature) does not verify under `receipt.gateway`
    /// (or that key is not a valid Ed25519 point).
    case badGatewaySignature(receipt: Hash32)
    /// A field is outside its bounds (`reason` names the field and the bound).
    case invalidReceipt(reason: String)
    /// The same receipt id appears twice in one batch.
    case duplicateReceipt(Hash32)
    /// A total (batch token counts, a receipt's charge) would exceed `UInt64.max`.
    case overflow(String)

    public var description: String {
        switch self {
        case let .wrongChainId(expected, actual):
            "receipt is for chain \"\(actual)\", this chain is \"\(expected)\"; the host must sign with this chain's id"
        case let .badHostSignature(id):
            "receipt \(id): the host signature does not verify under the receipt's host key; "
                + "the host must sign the receipt body again"
        case let .badGatewaySignature(id):
            "receipt \(id): the gateway co-signature does not verify under the receipt's gateway key; "
                + "the gateway must co-sign the body and the host signature again"
        case let .invalidReceipt(reason):
            "receipt is ill-formed: \(reason)"
        case let .duplicateReceipt(id):
            "receipt \(id) appears twice in one batch; commit each receipt once"
        case let .overflow(what):
            "\(what) would exceed the largest 64-bit value"
        }
    }
}
