/// RMS normalization as llama.cpp computes it: mean = Σx²/n (`FloatReduction` order),
/// scale = 1/√(mean + ε), out = (x · scale) · weight.
public enum Normalization {
    /// `out[i] = (x[i] · scale) · weight[i]` for i < count (SIMD). `out` may alias `x`.
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, count: Int, epsilon: Float,
                               into out: UnsafeMutablePointer<Float>) {
        let scale = inverseRMS(FloatReduction.sumOfSquares(x, count: count), count: count, epsilon: epsilon)
        let s = SIMD16<Float>(repeating: scale)
        let rx = UnsafeRawPointer(x), rw = UnsafeRawPointer(weight), ro = UnsafeMutableRawPointer(out)
        var i = 0
        while i &+ 16 <= count {
            let v = rx.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let w = rw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            ro.storeBytes(of: (v * s) * w, toByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < count {
            out[i] = (x[i] * scale) * weight[i]
            i &+= 1
        }
    }

    /// Scalar reference of `rmsNorm` (same bits).
    public static func rmsNormReference(_ x: [Float], weight: [Float], epsilon: Float) -> [Float] {
        let scale = inverseRMS(FloatReduction.dotReference(x, x), count: x.count, epsilon: epsilon)
        return (0..<x.count).map { (x[$0] * scale) * weight[$0] }
    }

    static func inverseRMS(_ sumOfSquares: Float, count: Int, epsilon: Float) -> Float {
        let mean = sumOfSquares / Float(count)
        return 1 / (mean + epsilon).squareRoot()
    }
}

/// Softmax in place: m = max x, eᵢ = exp(xᵢ − m) (`DeterministicMath`), sum in `FloatReduction`
/// order, xᵢ = eᵢ · (1/sum).
public enum Softmax {
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        precondition(count > 0)
        let m = maximum(x, count: count)
        let raw = UnsafeMutableRawPointer(x)
        let mv = SIMD16<Float>(repeating: m)
        var i = 0
        while i &+ 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            raw.storeBytes(of: DeterministicMath.exp(v - mv), toByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        if i < count {
            var v = SIMD16<Float>()
            for j in 0..<(count &- i) { v[j] = x[i &+ j] }
            let e = DeterministicMath.exp(v - mv)
            for j in 0..<(count &- i) { x[i &+ j] = e[j] }
        }
        let inverse = 1 / FloatReduction.sum(x, count: count)
        let iv = SIMD16<Float>(repeating: inverse)
        i = 0
        while i &+ 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            raw.storeBytes(of: v * iv, toByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < count {
            x[i] = x[i] * inverse
            i &+= 1
        }
    }

    /// The largest of `count` floats (exact, order-free; inputs must not be NaN).
    static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var m16 = SIMD16<Float>(repeating: x[0])
        let raw = UnsafeRawPointer(x)
        var i = 0
        while i &+ 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            m16 = SIMDSupport.select(v .> m16, v, m16)
            i &+= 16
        }
        var m = x[0]
        for l in 0..<16 where m16[l] > m { m = m16[l] }
        while i < count {
            if x[i] > m { m = x[i] }
            i &+= 1
        }
        return m
    }

    /// Scalar reference of `softmax` (same bits).
    public static func softmaxReference(_ x: [Float]) -> [Float] {
        let m = x.max()!
        let e = x.map { DeterministicMath.exp($0 - m) }
        let inverse = 1 / FloatReduction.sumReference(e)
        return e.map { $0 * inverse }
    }
}

/// SwiGLU gating: out = silu(gate) · up with silu(g) = g / (1 + exp(−g)) (llama.cpp's formula).
public enum Gating {
    /// `out[i] = silu(gate[i]) · up[i]` for i < count (SIMD). `out` may alias `gate` or `up`.
    public static func swiGLU(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int,
                              into out: UnsafeMutablePointer<Float>) {
        let rg = UnsafeRawPointer(gate), ru = UnsafeRawPointer(up), ro = UnsafeMutableRawPointer(out)
        let one = SIMD16<Float>(repeating: 1)
        var i = 0
        while i &+ 16 <= count {
            let g = rg.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let u = ru.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let silu = g / (one + DeterministicMath.exp(-g))
            ro.storeBytes(of: silu * u, toByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < count {
            out[i] = silu(gate[i]) * up[i]
            i &+= 1
        }
    }

    /// silu(g) = g / (1 + exp(−g)) (scalar).
    public static func silu(_ g: Float) -> Float { g / (1 + DeterministicMath.exp(-g)) }

    /// Scalar reference of `swiGLU` (same bits).
    public static func swiGLUReference(gate: [Float], up: [Float]) -> [Float] {
        (0..<gate.count).map { silu(gate[$0]) * up[$0] }
    }
}
