/// Hard bounds of inference receipts, named with their units. Decoders enforce them, so no peer can
/// make a node accept a receipt that the market could not settle or verify.
import PoUWCore

public enum ReceiptLimits {
    /// Longest model name in a receipt, in bytes (the same bound as a host's registered model names).
    public static let modelNameBytesMax = ChainLimits.modelNameBytesMax
    /// Most top-k alternatives committed per generated token (OpenAI's `top_logprobs` maximum).
    public static let topLogprobsMax = 20
    /// Largest temperature, in thousandths (16.000; PoUWInference's `SamplingParameters.temperatureMax`).
    public static let temperatureMilliMax: UInt32 = 16_000
    /// Largest top-p, in thousandths (1.000 keeps every token).
    public static let topPMilliMax: UInt32 = 1_000
    /// Largest top-k cut (PoUWInference's `Sampler.candidatesMax`; 0 means no cut).
    public static let topKMax: UInt32 = 64
    /// Largest `max_tokens` of one request (PoUWInference's `SamplingParameters.maxTokensMax`).
    public static let maxTokensMax: UInt32 = 8_192
}
