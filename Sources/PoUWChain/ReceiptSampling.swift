/// The sampling parameters a receipt commits to, in fixed point so that one request has exactly one
/// encoding (a float parameter could be written as several nearby values).
public import PoUWWire

/// How the host sampled. The gateway quantises the customer's values to these integers BEFORE the
/// host samples, and the host samples with exactly `Float(temperatureMilli) / 1000` and
/// `Float(topPMilli) / 1000`, so a verifier replaying the sampler from the receipt uses the same values.
public struct ReceiptSampling: Hashable, Sendable {
    /// Temperature × 1000 (0 = greedy), at most `ReceiptLimits.temperatureMilliMax`.
    public var temperatureMilli: UInt32
    /// Top-p × 1000, 1 ... `ReceiptLimits.topPMilliMax` (1000 keeps every token).
    public var topPMilli: UInt32
    /// Top-k cut, at most `ReceiptLimits.topKMax`; 0 means no cut.
    public var topK: UInt32
    /// The sampler seed.
    public var seed: UInt64
    /// The request's `max_tokens`, 1 ... `ReceiptLimits.maxTokensMax`.
    public var maxTokens: UInt32

    public init(temperatureMilli: UInt32, topPMilli: UInt32, topK: UInt32, seed: UInt64, maxTokens: UInt32) {
        self.temperatureMilli = temperatureMilli
        self.topPMilli = topPMilli
        self.topK = topK
        self.seed = seed
        self.maxTokens = maxTokens
    }

    /// Why these parameters are outside the bounds of `ReceiptLimits`, or `nil` when they are within.
    public var violation: String? {
        if temperatureMilli > ReceiptLimits.temperatureMilliMax {
            return "temperatureMilli is \(temperatureMilli), above \(ReceiptLimits.temperatureMilliMax)"
        }
        if topPMilli == 0 || topPMilli > ReceiptLimits.topPMilliMax {
            return "topPMilli is \(topPMilli); use 1...\(ReceiptLimits.topPMilliMax)"
        }
        if topK > ReceiptLimits.topKMax { return "topK is \(topK), above \(ReceiptLimits.topKMax)" }
        if maxTokens == 0 || maxTokens > ReceiptLimits.maxTokensMax {
            return "maxTokens is \(maxTokens); use 1...\(ReceiptLimits.maxTokensMax)"
        }
        return nil
    }
}

extension ReceiptSampling: WireCodable {
    public static var encodedBytesMin: Int { 4 + 4 + 4 + 8 + 4 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeUInt32(temperatureMilli)
        encoder.writeUInt32(topPMilli)
        encoder.writeUInt32(topK)
        encoder.writeUInt64(seed)
        encoder.writeUInt32(maxTokens)
    }

    /// Reads the five integers; their bounds are checked by the receipt that holds them.
    public init(from decoder: inout WireDecoder) throws(WireError) {
        temperatureMilli = try decoder.readUInt32()
        topPMilli = try decoder.readUInt32()
        topK = try decoder.readUInt32()
        seed = try decoder.readUInt64()
        maxTokens = try decoder.readUInt32()
    }
}
