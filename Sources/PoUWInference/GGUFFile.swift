// GGUF version 3, as this reader accepts it. All integers little-endian; no padding between fields
// except where stated.
//
//   header
//     u32   magic            0x46554747, the bytes "GGUF"
//     u32   version          3 (other versions are rejected)
//     u64   tensor_count     <= GGUFLimits.tensorCountMax
//     u64   kv_count         <= GGUFLimits.keyValueCountMax
//   kv_count metadata entries
//     string key             (string = u64 byte length, then UTF-8 bytes, no terminator)
//     u32    value_type      0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32, 7 bool (1 byte, 0 or 1),
//                            8 string, 9 array, 10 u64, 11 i64, 12 f64
//     value                  an array is: u32 element_type, u64 count, then count values of that
//                            type (arrays may nest, each inner array with its own element type)
//   tensor_count tensor infos
//     string name            <= GGUFLimits.tensorNameBytesMax bytes, unique
//     u32    n_dims          1...4
//     u64    ne[n_dims]      ne[0] is the row length (contiguous elements); each >= 1
//     u32    type            a ggml_type id (GGMLType)
//     u64    offset          from the start of the data section; a multiple of the alignment
//   padding                  zero bytes up to a multiple of the alignment: `general.alignment`
//                            (a power of two) or 32 when that key is absent
//   data section             tensor data; tensor t occupies [offset, offset + byte size) where
//                            byte size = product(ne) / blockElements(type) * blockBytes(type)
//
// Every count is checked against its limit and against the bytes left before anything is allocated,
// every multiplication is overflow-checked, and every tensor range must lie inside the file.

/// A GGUF v3 file: its metadata and tensor directory, with tensor data viewed in place.
///
/// Immutable after `init`. The bytes (a read-only mapping, or an owned copy for `init(bytes:)`) live as
/// long as this object; buffers returned by `bytes(of:)` must not outlive it.
public final class GGUFFile: @unchecked Sendable {
    public let version: UInt32
    /// Metadata by key.
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    /// Alignment of the data section and of every tensor offset, in bytes.
    public let alignment: Int
    /// Byte offset of the data section from the start of the file.
    public let dataOffset: Int
    /// Size of the whole file, in bytes.
    public var fileBytes: Int { storage.bytes.count }

    private let storage: GGUFStorage
    private let tensorIndexByName: [String: Int]

    /// Maps the file at `path` read-only and reads its header, metadata and tensor infos.
    /// Tensor data is never copied.
    public convenience init(path: String) throws(GGUFError) {
        try self.init(storage: try GGUFStorage(mapping: path))
    }

    /// Reads a GGUF image held in memory (copied once into storage this object owns).
    public convenience init(bytes: [UInt8]) throws(GGUFError) {
        try self.init(storage: GGUFStorage(copying: bytes))
    }

    private init(storage: GGUFStorage) throws(GGUFError) {
        let layout = try GGUFParser.parse(storage.bytes)
        self.storage = storage
        version = layout.version
        metadata = layout.metadata
        metadataKeys = layout.metadataKeys
        tensors = layout.tensors
        alignment = layout.alignment
        dataOffset = layout.dataOffset
        var index: [String: Int] = [:]
        for (position, tensor) in layout.tensors.enumerated() { index[tensor.name] = position }
        tensorIndexByName = index
    }

    /// The tensor called `named`, or nil.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndexByName[name].map { tensors[$0] }
    }

    /// The data of `tensor`, a view into this file's bytes. `tensor` must come from this file.
    public func bytes(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        let start = dataOffset + tensor.offset
        precondition(
            tensor.offset >= 0 && tensor.byteCount >= 0 && start <= fileBytes - tensor.byteCount,
            "tensor \(tensor.name) does not lie in this file")
        return UnsafeRawBufferPointer(rebasing: storage.bytes[start..<(start + tensor.byteCount)])
    }
}
