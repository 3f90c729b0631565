/// Comparison of secret-dependent bytes without a timing side channel.
internal import CSodium

public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes. For equal lengths the running time depends only on
    /// the length, never on where the first difference is (`sodium_memcmp`). Different lengths
    /// compare unequal at once: lengths are not treated as secret.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        Sodium.ready()
        return a.withUnsafeBytes { lhs in
            b.withUnsafeBytes { rhs in sodium_memcmp(lhs.baseAddress, rhs.baseAddress, lhs.count) == 0 }
        }
    }
}
