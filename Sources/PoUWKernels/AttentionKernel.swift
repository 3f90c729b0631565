/// One query head attending over `count` cached positions: sₜ = (q·kₜ)·scale
/// (`FloatReduction.dot`), p = softmax(s) (`Softmax`), out[j] = Σₜ pₜ·vₜ[j] summed in order of t.
public enum AttentionKernel {
    /// - Parameters:
    ///   - keys, values: position t's vector starts at `keys + t·stride` (`values + t·stride`).
    ///   - scores: scratch of at least `count` floats.
    public static func attend(query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                              stride: Int, count: Int, headSize: Int, scale: Float,
                              scores: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        precondition(count > 0)
        for t in 0..<count {
            scores[t] = FloatReduction.dot(query, keys + t * stride, count: headSize) * scale
        }
        Softmax.softmax(scores, count: count)
        weightedSum(scores, values: values, stride: stride, count: count, headSize: headSize, into: out)
    }

    /// out[j] = Σₜ p[t]·v_t[j], t in order (SIMD over j).
    static func weightedSum(_ p: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int, count: Int,
                            headSize: Int, into out: UnsafeMutablePointer<Float>) {
        let ro = UnsafeMutableRawPointer(out)
        var j = 0
        while j &+ 16 <= headSize {
            var acc = SIMD16<Float>()
            for t in 0..<count {
                let v = UnsafeRawPointer(values + (t &* stride &+ j)).loadUnaligned(as: SIMD16<Float>.self)
                acc = acc + SIMD16(repeating: p[t]) * v
            }
            ro.storeBytes(of: acc, toByteOffset: j &* 4, as: SIMD16<Float>.self)
            j &+= 16
        }
        while j < headSize {
            var acc: Float = 0
            for t in 0..<count { acc = acc + p[t] * values[t &* stride &+ j] }
            out[j] = acc
            j &+= 1
        }
    }

    /// Scalar reference of `attend` (same bits). `keys[t]`, `values[t]` are position t's vectors.
    public static func attendReference(query: [Float], keys: [[Float]], values: [[Float]], scale: Float) -> [Float] {
        let s = keys.map { FloatReduction.dotReference(query, $0) * scale }
        let p = Softmax.softmaxReference(s)
        var out = [Float](repeating: 0, count: query.count)
        for j in 0..<query.count {
            var acc: Float = 0
            for t in 0..<keys.count { acc = acc + p[t] * values[t][j] }
            out[j] = acc
        }
        return out
    }
}
