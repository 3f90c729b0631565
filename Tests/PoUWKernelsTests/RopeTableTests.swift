import Foundation
import PoUWKernels
import Testing

@Suite struct RopeTableTests {
    @Test("table entries are cos/sin of pos·base^(−2i/d) to within float rounding")
    func tableValues() {
        let table = RopeTable(dimensions: 64, base: 100_000, positions: 300)
        for position in [0, 1, 7, 299] {
            for pair in [0, 1, 15, 31] {
                let theta = Double(position) * Foundation.pow(100_000, -2 * Double(pair) / 64)
                let (c, s) = table.rotation(position: position, pair: pair)
                #expect(abs(Double(c) - Foundation.cos(theta)) < 1e-4)
                #expect(abs(Double(s) - Foundation.sin(theta)) < 1e-4)
            }
        }
        #expect(table.rotation(position: 0, pair: 5) == (1, 0))
    }

    @Test("apply rotates adjacent pairs of every head and preserves their length")
    func applyRotatesPairs() {
        let table = RopeTable(dimensions: 4, base: 10_000, positions: 10)
        var random = TestRandom(seed: 61)
        let x = random.floats(8)
        var y = x
        y.withUnsafeMutableBufferPointer { table.apply($0.baseAddress!, heads: 2, headSize: 4, position: 3) }
        for h in 0..<2 {
            for i in 0..<2 {
                let (c, s) = table.rotation(position: 3, pair: i)
                let x0 = x[h * 4 + 2 * i], x1 = x[h * 4 + 2 * i + 1]
                #expect(y[h * 4 + 2 * i].bitPattern == (x0 * c - x1 * s).bitPattern)
                #expect(y[h * 4 + 2 * i + 1].bitPattern == (x0 * s + x1 * c).bitPattern)
                let before = x0 * x0 + x1 * x1
                let after = y[h * 4 + 2 * i] * y[h * 4 + 2 * i] + y[h * 4 + 2 * i + 1] * y[h * 4 + 2 * i + 1]
                #expect(abs(before - after) < 1e-5)
            }
        }
    }
}

@Suite struct AttentionKernelTests {
    @Test("SIMD attention equals the reference bit for bit", arguments: [1, 2, 17, 100], [64, 3, 17])
    func attend(count: Int, headSize: Int) {
        var random = TestRandom(seed: UInt64(count * 100 + headSize))
        let stride = headSize + 5, keyStride = count + 3
        let q = random.floats(headSize)
        let keys = (0..<count).map { _ in random.floats(headSize) }
        let values = (0..<count).map { _ in random.floats(headSize) }
        var kFlat = [Float](repeating: 0, count: headSize * keyStride)
        var vFlat = [Float](repeating: 0, count: count * stride)
        for t in 0..<count {
            for j in 0..<headSize {
                kFlat[j * keyStride + t] = keys[t][j]
                vFlat[t * stride + j] = values[t][j]
            }
        }
        var scores = [Float](repeating: 0, count: count)
        var out = [Float](repeating: 0, count: headSize)
        scores.withUnsafeMutableBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                AttentionKernel.attend(query: q, keys: kFlat, keyStride: keyStride, values: vFlat, valueStride: stride,
                                       count: count, headSize: headSize, scale: 0.125, scores: s.baseAddress!,
                                       into: o.baseAddress!)
            }
        }
        #expect(bits(out) == bits(AttentionKernel.attendReference(query: q, keys: keys, values: values, scale: 0.125)))
    }

    @Test("grouped attention gives each head the bits of single-head attention", arguments: [1, 3, 4], [1, 17, 40])
    func attendGroup(group: Int, count: Int) {
        var random = TestRandom(seed: UInt64(group * 1000 + count))
        let headSize = 64, keyStride = count + 1
        let queries = random.floats(group * headSize)
        let keys = random.floats(headSize * keyStride), values = random.floats(count * headSize)
        var scores = [Float](repeating: 0, count: AttentionKernel.groupMax * count)
        var grouped = [Float](repeating: 0, count: group * headSize)
        scores.withUnsafeMutableBufferPointer { s in
            grouped.withUnsafeMutableBufferPointer { o in
                AttentionKernel.attendGroup(queries: queries, group: group, keys: keys, keyStride: keyStride,
                                            values: values, valueStride: headSize, count: count, headSize: headSize,
                                            scale: 0.125, scores: s.baseAddress!, into: o.baseAddress!)
            }
        }
        for h in 0..<group {
            var single = [Float](repeating: 0, count: headSize)
            var scratch = [Float](repeating: 0, count: count)
            let q = Array(queries[(h * headSize)..<((h + 1) * headSize)])
            scratch.withUnsafeMutableBufferPointer { s in
                single.withUnsafeMutableBufferPointer { o in
                    AttentionKernel.attend(query: q, keys: keys, keyStride: keyStride, values: values,
                                           valueStride: headSize, count: count, headSize: headSize, scale: 0.125,
                                           scores: s.baseAddress!, into: o.baseAddress!)
                }
            }
            #expect(bits(single) == bits(Array(grouped[(h * headSize)..<((h + 1) * headSize)])))
        }
    }
}
