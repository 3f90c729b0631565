/// One sequence's keys and values for every layer, allocated once for `capacity` positions
/// (llama2.c keeps them in `RunState`; here each sequence owns its cache so that several sequences
/// can decode in one batch). Keys are stored transposed per KV head, [layer][kvHead][headSize]
/// [capacity], so attention scores 16 positions at a time; values by position, [layer][position]
/// [kvLength].
public final class KVCache: @unchecked Sendable {
    /// Positions this cache can hold.
    public let capacity: Int
    /// Positions filled so far (the next token's position).
    public internal(set) var count = 0
    let layerCount: Int
    let kvLength: Int
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>

    let headSize: Int

    init(capacity: Int, layerCount: Int, kvLength: Int, headSize: Int) {
        precondition(capacity > 0 && layerCount > 0 && kvLength > 0 && headSize > 0 && kvLength % headSize == 0)
        self.capacity = capacity
        self.layerCount = layerCount
        self.kvLength = kvLength
        self.headSize = headSize
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

    /// Transposed keys of KV head `head` of `layer`: [headSize][capacity].
    @inline(__always)
    func keys(layer: Int, head: Int) -> UnsafeMutablePointer<Float> {
        keys + (layer * kvLength + head * headSize) * capacity
    }

    /// Stores the keys of `position` (kvLength floats, heads one after another).
    func storeKeys(_ k: UnsafePointer<Float>, layer: Int, position: Int) {
        let base = keys + layer * kvLength * capacity + position
        for j in 0..<kvLength { base[j * capacity] = k[j] }
    }

    /// Values of `layer` at `position` (kvLength floats).
    @inline(__always)
    func values(layer: Int, position: Int) -> UnsafeMutablePointer<Float> {
        values + (layer * capacity + position) * kvLength
    }
}
