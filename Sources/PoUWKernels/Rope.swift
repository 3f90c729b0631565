/// Rotary position embedding, llama.cpp's NORM type: adjacent pairs (x₂ᵢ, x₂ᵢ₊₁) of each head
/// rotate by θ = pos · base^(−2i/d). As in llama.cpp's rope cache, θ is built in Float by repeated
/// multiplication: θ₀ = Float(pos), θᵢ₊₁ = θᵢ · Float(base^(−2/d)); cos θ and sin θ come from
/// `ScalarMath` (Double) rounded to Float. Tables are computed once per model load.
public final class RopeTable: @unchecked Sendable {
    /// Rotated dimensions per head (even).
    public let dimensions: Int
    /// Positions covered, 0 ..< positions.
    public let positions: Int
    /// [positions][dimensions/2] cosines and sines.
    let cosines: UnsafeMutablePointer<Float>
    let sines: UnsafeMutablePointer<Float>

    public init(dimensions: Int, base: Float, positions: Int) {
        precondition(dimensions > 0 && dimensions % 2 == 0, "RoPE needs an even dimension count")
        precondition(positions > 0 && Double(positions) < ScalarMath.trigArgumentMax)
        precondition(base > 1)
        self.dimensions = dimensions
        self.positions = positions
        let pairs = dimensions / 2
        cosines = .allocate(capacity: positions * pairs)
        sines = .allocate(capacity: positions * pairs)
        let thetaScale = Float(ScalarMath.pow(Double(base), -2 / Double(dimensions)))
        for p in 0..<positions {
            var theta = Float(p)
            for i in 0..<pairs {
                let (s, c) = ScalarMath.sinCos(Double(theta))
                cosines[p * pairs + i] = Float(c)
                sines[p * pairs + i] = Float(s)
                theta = theta * thetaScale
            }
        }
    }

    deinit {
        cosines.deallocate()
        sines.deallocate()
    }

    /// (cos θᵢ, sin θᵢ) for `position` and pair `i`.
    public func rotation(position: Int, pair i: Int) -> (cos: Float, sin: Float) {
        precondition(position >= 0 && position < positions && i >= 0 && i < dimensions / 2)
        let index = position * (dimensions / 2) + i
        return (cosines[index], sines[index])
    }

    /// Rotates `heads` consecutive head vectors of `headSize` elements at `x` (the first
    /// `dimensions` of each head) for `position`: x₂ᵢ' = x₂ᵢ·c − x₂ᵢ₊₁·s, x₂ᵢ₊₁' = x₂ᵢ·s + x₂ᵢ₊₁·c.
    public func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headSize: Int, position: Int) {
        precondition(position >= 0 && position < positions, "position \(position) beyond the RoPE table")
        precondition(headSize >= dimensions)
        let pairs = dimensions / 2
        let c = cosines + position * pairs, s = sines + position * pairs
        for h in 0..<heads {
            let v = x + h * headSize
            for i in 0..<pairs {
                let x0 = v[2 * i], x1 = v[2 * i + 1]
                v[2 * i] = x0 * c[i] - x1 * s[i]
                v[2 * i + 1] = x0 * s[i] + x1 * c[i]
            }
        }
    }
}
