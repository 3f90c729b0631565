/// The production source of randomness: the OS CSPRNG through libsodium.
public import PoUWCore
internal import CSodium

/// `Entropy` from the operating system's CSPRNG (`randombytes_buf`: getrandom(2) on Linux). Safe
/// for keys and nonces. Tests and the simulator inject a seeded `Entropy` instead.
public struct SystemEntropy: Entropy {
    public init() {}

    /// Overwrites every byte of `buffer` with fresh random bytes.
    public func fill(_ buffer: inout [UInt8]) {
        guard !buffer.isEmpty else { return }
        Sodium.ready()
        buffer.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, $0.count) }
    }

    /// `count` fresh random bytes.
    static func bytes(count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        SystemEntropy().fill(&buffer)
        return buffer
    }
}
