/// The numeric contract every kernel in this module follows, so that two machines compute the
/// same bits for the same model and input (a proof-of-useful-work requirement).
///
/// 1. **Quantized dot products are exact.** Weights arrive in 32-element blocks (Q4_0, Q4_1,
///    Q8_0) and activations are quantized to 8 bits per 32-element block (`Q8Activations`).
///    Within a block the dot product of the integer codes, `isum = Σ wᵢ·qᵢ`, is an integer with
///    |isum| < 2²⁰, so evaluating it in `Int32`, in `Int16` halves (4-bit codes: 16 products stay
///    below 2¹⁵) or in `Float` (every product and partial sum is an integer below 2²⁴) gives the
///    same exact value in any order. SIMD kernels may therefore sum a block in any order;
///    references sum it in `Int32`.
/// 2. **Block values have one formula** (`BlockFormula`), evaluated left to right with one
///    IEEE-754 rounding per operation, e.g. Q4_1: `f = Float(isum) * (d·dₐ) + m · sₐ`.
/// 3. **Blocks of a row are summed sequentially**: `acc = +0; for b in blocks { acc = acc + f_b }`.
/// 4. **Float dot products and sums** (`FloatReduction`: RMSNorm's Σx², softmax's Σeᵢ) use 16
///    lanes: element `i` goes to lane `i % 16` in index order, then lanes fold `l += l + 8`,
///    `l += l + 4`, `l += l + 2`, `l0 + l1`. Attention scores are sequential sums over the head
///    dimensions and attention outputs sequential sums over positions (`AttentionKernel`).
/// 5. **No fused multiply-add.** Every `a * b + c` rounds twice. Swift does not contract
///    floating-point expressions (it emits separate `fmul`/`fadd` without the `contract` flag;
///    checked in the generated assembly for x86-64 with and without `-target-cpu znver4`), and no
///    kernel calls `addingProduct` or `fma`.
/// 6. **No libm.** `exp` (softmax, SiLU), `sin`/`cos`/`pow` (RoPE tables) are this module's own
///    (`DeterministicMath`, `ScalarMath`), built from +, −, ×, ÷ and bit operations only.
/// 7. **Threads never split a reduction.** Parallel kernels split output rows; one thread computes
///    one output element from start to end, so results do not depend on the thread count.
///
/// Consequences: the result of a kernel depends neither on the ISA (SSE2, AVX2, AVX-512 give the
/// same bits), nor on the number of threads, nor on how many rows are processed together (a batched
/// matrix product equals row-by-row matrix-vector products bit for bit).
public enum Numerics {
    /// Version of this contract; bump it whenever any kernel's bits change.
    public static let contractVersion = 2
    /// Elements per quantization block, for every block format.
    public static let blockElements = 32
}
