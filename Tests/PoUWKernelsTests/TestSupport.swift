import PoUWKernels

/// SplitMix64: a small seeded generator so test data is the same on every run.
struct TestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func floats(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in Float.random(in: -scale...scale, using: &self) }
    }

    /// Random blocks of `format` for `columns` elements, with realistic binary16 scales.
    mutating func blockBytes(_ format: WeightFormat, columns: Int) -> [UInt8] {
        let blocks = columns / 32
        var bytes = [UInt8]()
        for _ in 0..<blocks {
            let start = bytes.count
            bytes += (0..<format.blockBytes).map { _ in UInt8.random(in: 0...255, using: &self) }
            let d = Half.fromFloat(Float.random(in: 0.001...0.05, using: &self))
            bytes[start] = UInt8(d & 0xFF)
            bytes[start + 1] = UInt8(d >> 8)
            if format == .q4_1 {
                let m = Half.fromFloat(Float.random(in: -0.2...0.0, using: &self))
                bytes[start + 2] = UInt8(m & 0xFF)
                bytes[start + 3] = UInt8(m >> 8)
            }
        }
        return bytes
    }
}

/// Lengths that reach every SIMD tail of the float kernels.
let floatLengths = [1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 127, 129, 576]
/// Lengths (multiples of 32) for the block kernels.
let blockLengths = [32, 64, 96, 160, 224, 512, 576, 1536]

/// Bit patterns, so that `#expect` compares bits and not float equality (−0 == +0, NaN ≠ NaN).
func bits(_ x: [Float]) -> [UInt32] { x.map(\.bitPattern) }
