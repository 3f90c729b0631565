import PoUWKernels
import Testing

@Suite struct MatrixProductTests {
    /// Runs `body` with a random `format` matrix of `rows`×`columns` and `count` quantized activation rows.
    func withProblem(_ format: WeightFormat, rows: Int, columns: Int, count: Int, seed: UInt64,
                     _ body: (WeightMatrix, Q8Activations, [Float]) -> Void) {
        var random = TestRandom(seed: seed)
        var bytes = [UInt8]()
        for _ in 0..<rows { bytes += random.blockBytes(format, columns: columns) }
        let x = random.floats(count * columns, scale: 4)
        let act = Q8Activations(columns: columns, rowsMax: count)
        x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: count, stride: columns) }
        bytes.withUnsafeBytes { raw in
            body(WeightMatrix(format: format, rows: rows, columns: columns, base: raw.baseAddress!), act, x)
        }
    }

    @Test("tiled products (several activation rows) equal the per-row reference bit for bit",
          arguments: [WeightFormat.q4_0, .q4_1, .q8_0], [2, 5, 16, 17, 33])
    func tiledMatchesReference(format: WeightFormat, count: Int) {
        let rows = 11, columns = 160
        withProblem(format, rows: rows, columns: columns, count: count, seed: UInt64(count)) { m, act, _ in
            var tiled = [Float](repeating: .nan, count: count * rows)
            var reference = tiled
            tiled.withUnsafeMutableBufferPointer {
                MatrixProduct.multiply(m, act, rows: 0..<rows, into: $0.baseAddress!, outStride: rows)
            }
            reference.withUnsafeMutableBufferPointer {
                MatrixProduct.multiplyReference(m, act, rows: 0..<rows, into: $0.baseAddress!, outStride: rows)
            }
            #expect(bits(tiled) == bits(reference))
        }
    }

    @Test("a batched row equals the same row multiplied alone (batch invariance)")
    func batchInvariance() {
        let rows = 9, columns = 576, count = 6
        withProblem(.q4_1, rows: rows, columns: columns, count: count, seed: 3) { m, act, x in
            var batched = [Float](repeating: 0, count: count * rows)
            batched.withUnsafeMutableBufferPointer {
                MatrixProduct.multiply(m, act, rows: 0..<rows, into: $0.baseAddress!, outStride: rows)
            }
            for r in 0..<count {
                let single = Q8Activations(columns: columns, rowsMax: 1)
                x.withUnsafeBufferPointer { single.quantize($0.baseAddress! + r * columns, rows: 1, stride: columns) }
                var alone = [Float](repeating: 0, count: rows)
                alone.withUnsafeMutableBufferPointer {
                    MatrixProduct.multiply(m, single, rows: 0..<rows, into: $0.baseAddress!, outStride: rows)
                }
                #expect(bits(alone) == bits(Array(batched[(r * rows)..<((r + 1) * rows)])))
            }
        }
    }

    @Test("splitting the output rows into ranges does not change any bit")
    func rowRangesAreIndependent() {
        let rows = 13, columns = 64, count = 3
        withProblem(.q4_1, rows: rows, columns: columns, count: count, seed: 4) { m, act, _ in
            var whole = [Float](repeating: 0, count: count * rows)
            var pieces = whole
            whole.withUnsafeMutableBufferPointer {
                MatrixProduct.multiply(m, act, rows: 0..<rows, into: $0.baseAddress!, outStride: rows)
            }
            pieces.withUnsafeMutableBufferPointer { out in
                for range in [0..<1, 1..<6, 6..<7, 7..<13] {
                    MatrixProduct.multiply(m, act, rows: range, into: out.baseAddress!, outStride: rows)
                }
            }
            #expect(bits(whole) == bits(pieces))
        }
    }

    @Test("F32 and F16 matrices multiply as FloatReduction dots of the converted rows",
          arguments: [WeightFormat.f32, .f16])
    func floatMatrices(format: WeightFormat) {
        var random = TestRandom(seed: 9)
        let rows = 5, columns = 37, count = 2
        let values = random.floats(rows * columns)
        let bytes: [UInt8] = format == .f32
            ? values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
            : values.flatMap { v in withUnsafeBytes(of: Half.fromFloat(v).littleEndian) { Array($0) } }
        let x = random.floats(count * columns)
        var out = [Float](repeating: 0, count: count * rows)
        bytes.withUnsafeBytes { raw in
            let m = WeightMatrix(format: format, rows: rows, columns: columns, base: raw.baseAddress!)
            x.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBufferPointer {
                    MatrixProduct.multiply(m, xp.baseAddress!, count: count, xStride: columns, rows: 0..<rows,
                                           into: $0.baseAddress!, outStride: rows)
                }
            }
        }
        for r in 0..<count {
            for i in 0..<rows {
                let w = values[(i * columns)..<((i + 1) * columns)].map { format == .f32 ? $0 : Half.round($0) }
                let expected = FloatReduction.dotReference(w, Array(x[(r * columns)..<((r + 1) * columns)]))
                #expect(out[r * rows + i].bitPattern == expected.bitPattern)
            }
        }
    }
}
