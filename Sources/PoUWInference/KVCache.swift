/// One sequence's keys and values for every layer, allocated once for `capacity` positions
/// (llama2.c keeps them in `RunState`; here each sequence owns its cache so that several sequences
/// can decode in one batch). Layout: [layer][position][kvLength] floats.
public final class KVCache: @unchecked Sendable {
    /// Positions this cache can hold.
    public let capacity: Int
    /// Positions filled so far (the next token's position).
    public internal(set) var count = 0
    let layerCount: Int
    let kvLength: Int
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>

    init(capacity: Int, layerCount: Int, kvLength: Int) {
        precondition(capacity > 0 && layerCount > 0 && kvLength > 0)
        self.capacity = capacity
        self.layerCount = layerCount
        self.kvLength = kvLength
        keys = .allocate(capacity: layerCount * capacity * kvLength)
        values = .allocate(capacity: layerCount * capacity * kvLength)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Bytes held by the keys and values.
    public var byteCount: Int { 2 * layerCount * capacity * kvLength * MemoryLayout<Float>.size }

    /// Forgets positions from `length` on (e.g. to reuse a shared prompt prefix); 0 empties the cache.
    public func truncate(to length: Int) {
        precondition(length >= 0 && length <= count, "cannot truncate a cache of \(count) positions to \(length)")
        count = length
    }

    /// Keys of `layer` at `position` (kvLength floats).
    @inline(__always)
    func keys(layer: Int, position: Int) -> UnsafeMutablePointer<Float> {
        keys + (layer * capacity + position) * kvLength
    }

    /// Values of `layer` at `position` (kvLength floats).
    @inline(__always)
    func values(layer: Int, position: Int) -> UnsafeMutablePointer<Float> {
        values + (layer * capacity + position) * kvLength
    }
}
