/// A type with one canonical wire encoding (the format is at the top of Wire.swift).
///
/// Contract: `init(from:)` accepts exactly the bytes `encode(to:)` writes, so for every value `v`
/// within the limits, decoding `encode(v)` yields `v` and consumes every byte, and for every input the
/// decoder accepts, re-encoding the result gives back the same bytes. `init(from:)` must check every
/// length against a named maximum and must never trap on input data.
public protocol WireCodable {
    /// A lower bound on the encoded size in bytes (0 when unknown). Lets the decoder refuse a count
    /// of elements that the remaining input could not hold, before it reserves memory for them.
    static var encodedBytesMin: Int { get }

    /// Appends the canonical encoding of `self`.
    ///
    /// - Precondition: `self` is within the limits its decoder enforces.
    func encode(to encoder: inout WireEncoder)

    /// Reads one value, leaving the decoder just after it.
    init(from decoder: inout WireDecoder) throws(WireError)
}
