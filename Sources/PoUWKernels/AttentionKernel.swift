/// One query head attending over `count` cached positions:
///
///     sₜ = (Σ_d q[d]·k_t[d]) · scale      (d in order, sequential sum: one score per SIMD lane)
///     p  = softmax(s)                     (`Softmax`)
///     out[j] = Σₜ pₜ·vₜ[j]                 (t in order)
///
/// Keys are stored transposed — dimension d of position t at `keys + d·keyStride + t` — so that 16
/// positions' scores are computed together; values are stored by position.
public enum AttentionKernel {
    static let lanes = 16

    /// - Parameters:
    ///   - keys: [headSize][keyStride] (position t in column t).
    ///   - values: position t's vector at `values + t·valueStride`.
    ///   - scores: scratch of at least `count` floats.
    public static func attend(query: UnsafePointer<Float>, keys: UnsafePointer<Float>, keyStride: Int,
                              values: UnsafePointer<Float>, valueStride: Int, count: Int, headSize: Int, scale: Float,
                              scores: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        precondition(count > 0 && count <= keyStride)
        computeScores(query, keys, keyStride, count: count, headSize: headSize, scale: scale, into: scores)
        Softmax.softmax(scores, count: count)
        weightedSum(scores, values: values, stride: valueStride, count: count, headSize: headSize, into: out)
    }

    /// Query heads that share one KV head (grouped-query attention), processed together so that each
    /// key and value vector is loaded once for all of them.
    public static let groupMax = 4

    /// `attend` for `group` (1…4) query heads sharing the same keys and values: query h at
    /// `queries + h·headSize`, output h at `out + h·headSize`, scores scratch of `groupMax·count`
    /// floats. Each head's result has the same bits as `attend` on that head alone.
    public static func attendGroup(queries: UnsafePointer<Float>, group: Int, keys: UnsafePointer<Float>,
                                   keyStride: Int,
                                   values: UnsafePointer<Float>, valueStride: Int, count: Int, headSize: Int,
                                   scale: Float, scores: UnsafeMutablePointer<Float>,
                                   into out: UnsafeMutablePointer<Float>) {
        precondition(group >= 1 && group <= groupMax && count > 0 && count <= keyStride)
        if group == 1 {
            computeScores(queries, keys, keyStride, count: count, headSize: headSize, scale: scale, into: scores)
        } else {
            // Missing heads repeat the last query; their scores land in the unused part of the scratch.
            let q = (0..<groupMax).map { queries + min($0, group - 1) * headSize }
            scores4(q[0], q[1], q[2], q[3], keys, keyStride, count: count, headSize: headSize, scale: scale,
                    into: scores)
        }
        for h in 0..<group { Softmax.softmax(scores + h * count, count: count) }
        for h in 0..<group {
            weightedSum(scores + h * count, values: values, stride: valueStride, count: count, headSize: headSize,
                        into: out + h * headSize)
        }
    }

    /// Scores of four query heads into `scores + h·count`, 16 positions at a time; lane arithmetic
    /// identical to `computeScores`.
    static func scores4(_ q: UnsafePointer<Float>, _ q1: UnsafePointer<Float>, _ q2: UnsafePointer<Float>,
                        _ q3: UnsafePointer<Float>, _ keys: UnsafePointer<Float>, _ keyStride: Int, count: Int,
                        headSize: Int, scale: Float, into scores: UnsafeMutablePointer<Float>) {
        let out = UnsafeMutableRawPointer(scores)
        let s = SIMD16<Float>(repeating: scale)
        var t = 0
        while t &+ lanes <= count {
            var acc = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            for d in 0..<headSize {
                let k = UnsafeRawPointer(keys + (d &* keyStride &+ t)).loadUnaligned(as: SIMD16<Float>.self)
                acc.0 = acc.0 + SIMD16(repeating: q[d]) * k
                acc.1 = acc.1 + SIMD16(repeating: q1[d]) * k
                acc.2 = acc.2 + SIMD16(repeating: q2[d]) * k
                acc.3 = acc.3 + SIMD16(repeating: q3[d]) * k
            }
            out.storeBytes(of: acc.0 * s, toByteOffset: t &* 4, as: SIMD16<Float>.self)
            out.storeBytes(of: acc.1 * s, toByteOffset: (count &+ t) &* 4, as: SIMD16<Float>.self)
            out.storeBytes(of: acc.2 * s, toByteOffset: (2 &* count &+ t) &* 4, as: SIMD16<Float>.self)
            out.storeBytes(of: acc.3 * s, toByteOffset: (3 &* count &+ t) &* 4, as: SIMD16<Float>.self)
            t &+= lanes
        }
        if t < count {
            for (h, qh) in [q, q1, q2, q3].enumerated() {
                for u in t..<count {
                    var acc: Float = 0
                    for d in 0..<headSize { acc = acc + qh[d] * keys[d &* keyStride &+ u] }
                    scores[h &* count &+ u] = acc * scale
                }
            }
        }
    }

    /// scores[t] = (Σ_d q[d]·k[d][t]) · scale, 16 positions per vector.
    static func computeScores(_ q: UnsafePointer<Float>, _ keys: UnsafePointer<Float>, _ keyStride: Int, count: Int,
                              headSize: Int, scale: Float, into scores: UnsafeMutablePointer<Float>) {
        let out = UnsafeMutableRawPointer(scores)
        var t = 0
        // Four independent accumulators hide the latency of the sequential sums.
        while t &+ 4 &* lanes <= count {
            var acc = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            for d in 0..<headSize {
                let k = UnsafeRawPointer(keys + (d &* keyStride &+ t))
                let qd = SIMD16<Float>(repeating: q[d])
                acc.0 = acc.0 + qd * k.loadUnaligned(as: SIMD16<Float>.self)
                acc.1 = acc.1 + qd * k.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                acc.2 = acc.2 + qd * k.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self)
                acc.3 = acc.3 + qd * k.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self)
            }
            let s = SIMD16<Float>(repeating: scale)
            out.storeBytes(of: acc.0 * s, toByteOffset: t &* 4, as: SIMD16<Float>.self)
            out.storeBytes(of: acc.1 * s, toByteOffset: t &* 4 &+ 64, as: SIMD16<Float>.self)
            out.storeBytes(of: acc.2 * s, toByteOffset: t &* 4 &+ 128, as: SIMD16<Float>.self)
            out.storeBytes(of: acc.3 * s, toByteOffset: t &* 4 &+ 192, as: SIMD16<Float>.self)
            t &+= 4 &* lanes
        }
        while t &+ lanes <= count {
            var acc = SIMD16<Float>()
            for d in 0..<headSize {
                let k = UnsafeRawPointer(keys + (d &* keyStride &+ t)).loadUnaligned(as: SIMD16<Float>.self)
                acc = acc + SIMD16(repeating: q[d]) * k
            }
            out.storeBytes(of: acc * SIMD16(repeating: scale), toByteOffset: t &* 4, as: SIMD16<Float>.self)
            t &+= lanes
        }
        while t < count {
            var acc: Float = 0
            for d in 0..<headSize { acc = acc + q[d] * keys[d &* keyStride &+ t] }
            scores[t] = acc * scale
            t &+= 1
        }
    }

    /// out[j] = Σₜ p[t]·v_t[j], t in order (SIMD over j).
    static func weightedSum(_ p: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int, count: Int,
                            headSize: Int, into out: UnsafeMutablePointer<Float>) {
        let ro = UnsafeMutableRawPointer(out)
        var j = 0
        // 64 dimensions at a time: four independent accumulators, each summed over t in order.
        while j &+ 4 &* lanes <= headSize {
            var acc = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            for t in 0..<count {
                let v = UnsafeRawPointer(values + (t &* stride &+ j))
                let pt = SIMD16<Float>(repeating: p[t])
                acc.0 = acc.0 + pt * v.loadUnaligned(as: SIMD16<Float>.self)
                acc.1 = acc.1 + pt * v.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                acc.2 = acc.2 + pt * v.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self)
                acc.3 = acc.3 + pt * v.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self)
            }
            ro.storeBytes(of: acc.0, toByteOffset: j &* 4, as: SIMD16<Float>.self)
            ro.storeBytes(of: acc.1, toByteOffset: j &* 4 &+ 64, as: SIMD16<Float>.self)
            ro.storeBytes(of: acc.2, toByteOffset: j &* 4 &+ 128, as: SIMD16<Float>.self)
            ro.storeBytes(of: acc.3, toByteOffset: j &* 4 &+ 192, as: SIMD16<Float>.self)
            j &+= 4 &* lanes
        }
        while j &+ lanes <= headSize {
            var acc = SIMD16<Float>()
            for t in 0..<count {
                let v = UnsafeRawPointer(values + (t &* stride &+ j)).loadUnaligned(as: SIMD16<Float>.self)
                acc = acc + SIMD16(repeating: p[t]) * v
            }
            ro.storeBytes(of: acc, toByteOffset: j &* 4, as: SIMD16<Float>.self)
            j &+= lanes
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
        let s = keys.map { k in
            var acc: Float = 0
            for d in 0..<query.count { acc = acc + query[d] * k[d] }
            return acc * scale
        }
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
