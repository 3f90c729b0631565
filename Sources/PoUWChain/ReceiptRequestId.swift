/// The id a gateway gives one inference request: 16 bytes, unique per gateway (random or a counter).
import PoUWCore
public import PoUWWire

/// A 16-byte inference request id, chosen by the gateway. With the seed it keys the sampler's
/// per-position draws, so two requests with the same seed still sample independently.
public struct InferenceRequestId: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 16
    public let bytes: [UInt8]

    /// - Precondition: `bytes.count == 16`.
    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "InferenceRequestId needs 16 bytes, got \(bytes.count)")
        self.bytes = bytes
    }

    public var description: String { Hex.encode(bytes) }
}

extension InferenceRequestId: WireCodable {
    public static var encodedBytesMin: Int { byteCount }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeFixedBytes(bytes, count: Self.byteCount)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        self.init(try decoder.readFixedBytes(count: Self.byteCount))
    }
}
