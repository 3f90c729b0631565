import PoUWKernels
import Testing

@Suite struct FloatReductionTests {
    @Test("SIMD dot equals the reference bit for bit at every tail length", arguments: floatLengths)
    func dot(length: Int) {
        var random = TestRandom(seed: UInt64(length))
        let x = random.floats(length, scale: 3), y = random.floats(length, scale: 3)
        let simd = FloatReduction.dot(x, y, count: length)
        #expect(simd.bitPattern == FloatReduction.dotReference(x, y).bitPattern)
    }

    @Test("SIMD sum equals the reference bit for bit at every tail length", arguments: floatLengths)
    func sum(length: Int) {
        var random = TestRandom(seed: 100 + UInt64(length))
        let x = random.floats(length, scale: 1000)
        #expect(FloatReduction.sum(x, count: length).bitPattern == FloatReduction.sumReference(x).bitPattern)
    }

    @Test("the lane fold is not a left-to-right sum: order is part of the contract")
    func orderMatters() {
        // 1e8 + 1 − 1e8 ... sequentially loses the ones; lanes keep them apart.
        var x = [Float](repeating: 1, count: 32)
        x[0] = 1e8
        x[16] = -1e8
        let sequential = x.reduce(0, +)
        let contract = FloatReduction.sumReference(x)
        #expect(contract == 30)
        #expect(sequential != contract)
    }
}
