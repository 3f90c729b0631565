/// GPT-2's reversible map between bytes and printable Unicode scalars, used by byte-level BPE vocabularies:
/// the printable bytes `!`…`~`, `¡`…`¬` and `®`…`ÿ` stand for themselves; the other 68 bytes (controls,
/// space, DEL, NBSP, soft hyphen), in increasing order, become U+0100, U+0101, … .
enum TokenizerByteMap {
    /// The scalar that stands for each byte.
    static let scalarForByte: [Unicode.Scalar] = {
        var scalars: [Unicode.Scalar] = []
        var next: UInt32 = 256
        for byte in 0...255 {
            if isPrintable(UInt8(byte)) {
                scalars.append(Unicode.Scalar(UInt8(byte)))
            } else {
                guard let scalar = Unicode.Scalar(next) else { preconditionFailure("U+\(next) is a scalar") }
                scalars.append(scalar)
                next += 1
            }
        }
        return scalars
    }()

    /// The byte each mapped scalar stands for, or nil for scalars outside the map.
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        if value < 256 { return isPrintable(UInt8(value)) ? UInt8(value) : nil }
        guard value < 256 + 68 else { return nil }
        return nonPrintableBytes[Int(value - 256)]
    }

    private static let nonPrintableBytes: [UInt8] = (0...255).map { UInt8($0) }.filter { !isPrintable($0) }

    private static func isPrintable(_ byte: UInt8) -> Bool {
        (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
    }

    /// The vocabulary spelling of raw bytes (each byte as its mapped scalar).
    static func spelling(of bytes: some Sequence<UInt8>) -> String {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(scalarForByte[Int(byte)]) }
        return String(text)
    }
}
