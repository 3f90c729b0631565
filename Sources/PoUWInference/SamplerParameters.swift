/// Why sampling parameters were rejected.
public enum SamplingError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidParameter(name: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidParameter(name, reason): return "sampling parameter \(name) \(reason)"
        }
    }
}

/// How a request is sampled. Validated on construction, so every value in range.
public struct SamplingParameters: Sendable, Equatable {
    /// Softmax temperature; 0 is greedy decoding (argmax, lowest id on ties).
    public let temperature: Float
    /// Keep only the `topK` most likely tokens; 0 means no top-k cut. The kept set never exceeds
    /// `Sampler.candidatesMax` either way.
    public let topK: Int
    /// Keep the smallest most-likely prefix whose probability reaches `topP` (1 keeps all).
    public let topP: Float
    /// The sampler seed (with the request id it keys the per-position draws).
    public let seed: UInt64
    /// Most tokens to generate.
    public let maxTokens: Int
    /// Generation stops when the output text contains one of these; the match is not output.
    public let stopSequences: [String]

    public static let temperatureMax: Float = 16
    public static let maxTokensMax = 8192
    public static let stopSequencesMax = 4
    public static let stopSequenceBytesMax = 256

    public init(
        temperature: Float = 0, topK: Int = 0, topP: Float = 1, seed: UInt64 = 0, maxTokens: Int = 256,
        stopSequences: [String] = []
    ) throws(SamplingError) {
        guard temperature.isFinite && temperature >= 0 && temperature <= Self.temperatureMax else {
            throw .invalidParameter(name: "temperature", reason: "is \(temperature); use 0...\(Self.temperatureMax)")
        }
        guard topK >= 0 else { throw .invalidParameter(name: "topK", reason: "is \(topK); use 0 or more") }
        guard topP.isFinite && topP > 0 && topP <= 1 else {
            throw .invalidParameter(name: "topP", reason: "is \(topP); use a value in (0, 1]")
        }
        guard maxTokens >= 1 && maxTokens <= Self.maxTokensMax else {
            throw .invalidParameter(name: "maxTokens", reason: "is \(maxTokens); use 1...\(Self.maxTokensMax)")
        }
        guard stopSequences.count <= Self.stopSequencesMax else {
            throw .invalidParameter(
                name: "stopSequences", reason: "has \(stopSequences.count); use at most \(Self.stopSequencesMax)")
        }
        for stop in stopSequences where stop.isEmpty || stop.utf8.count > Self.stopSequenceBytesMax {
            let reason = "has one of \(stop.utf8.count) bytes; use 1...\(Self.stopSequenceBytesMax)"
            throw .invalidParameter(name: "stopSequences", reason: reason)
        }
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
        self.maxTokens = maxTokens
        self.stopSequences = stopSequences
    }

    /// Greedy decoding with default limits.
    public static let greedy: SamplingParameters = {
        do { return try SamplingParameters() } catch { preconditionFailure("defaults are valid: \(error)") }
    }()

    public var isGreedy: Bool { temperature == 0 }
}
