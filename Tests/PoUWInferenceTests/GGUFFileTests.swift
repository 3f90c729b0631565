import Foundation
import PoUWInference
import Testing

@Suite struct GGUFFileTests {
    static func pattern(_ count: Int, _ step: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* step) }
    }

    /// A small GGUF image with every value type, nested arrays and tensors of several types.
    static func syntheticWriter(alignment: Int = 32) -> GGUFWriter {
        var writer = GGUFWriter(alignment: alignment)
        writer.set("general.architecture", .string("llama"))
        writer.set("u8", .uint8(200))
        writer.set("i8", .int8(-5))
        writer.set("u16", .uint16(60_000))
        writer.set("i16", .int16(-30_000))
        writer.set("u32", .uint32(4_000_000_000))
        writer.set("i32", .int32(-2_000_000_000))
        writer.set("u64", .uint64(UInt64.max))
        writer.set("i64", .int64(Int64.min))
        writer.set("f32", .float32(1.5))
        writer.set("f64", .float64(-2.25))
        writer.set("flag", .bool(true))
        writer.set("text", .string("héllo 🌍"))
        writer.set("tokens", .array([.string("a"), .string("<|im_start|>"), .string("")]))
        writer.set("nested", .array([.array([.int32(1), .int32(2)]), .array([.string("x")]), .array([])]))
        writer.set("empty", .array([]))
        writer.addTensor(name: "norm", dimensions: [8], type: .f32, data: (0..<32).map { UInt8($0) })
        writer.addTensor(name: "w", dimensions: [64, 2], type: .q4_1, data: pattern(80, 7))
        writer.addTensor(name: "e", dimensions: [32, 3, 1], type: .q8_0, data: pattern(102, 3))
        return writer
    }

    @Test("the reference model reads with the documented header, keys, tensors and data offset",
          .enabled(if: GGUFReferenceFiles.hasModel))
    func readsReferenceModel() throws {
        let file = try #require(GGUFReferenceFiles.model).file
        #expect(file.version == 3)
        #expect(file.metadata.count == 33)
        #expect(file.metadataKeys.count == 33)
        #expect(file.tensors.count == 272)
        #expect(file.alignment == 32)
        #expect(file.dataOffset == 1_785_664)
        #expect(file.metadata["general.architecture"]?.string == "llama")
        #expect(file.metadata["llama.block_count"]?.int == 30)
        #expect(file.metadata["llama.embedding_length"]?.int == 576)
        #expect(file.metadata["tokenizer.ggml.tokens"]?.array?.count == 49_152)
        #expect(file.metadata["tokenizer.ggml.merges"]?.array?.count == 48_900)
        #expect(file.metadata["tokenizer.ggml.pre"]?.string == "smollm")
        let embedding = try #require(file.tensor(named: "token_embd.weight"))
        #expect(embedding.type == .q8_0)
        #expect(embedding.dimensions == [576, 49_152])
        #expect(embedding.byteCount == 576 * 49_152 / 32 * 34)
        let query = try #require(file.tensor(named: "blk.0.attn_q.weight"))
        #expect(query.type == .q4_1 && query.dimensions == [576, 576])
        #expect(file.tensor(named: "blk.29.ffn_down.weight")?.dimensions == [1536, 576])
        #expect(file.tensor(named: "output_norm.weight")?.type == .f32)
        #expect(file.tensor(named: "output.weight") == nil)
        let matrices = file.tensors.filter { $0.dimensions.count == 2 && $0.name != "token_embd.weight" }
        #expect(matrices.count == 210 && matrices.allSatisfy { $0.type == .q4_1 })
        #expect(file.tensors.filter { $0.dimensions.count == 1 }.allSatisfy { $0.type == .f32 })
        #expect(file.tensors.reduce(0) { $0 + $1.byteCount } == 96_576_768)
        let end = file.tensors.map { file.dataOffset + $0.offset + $0.byteCount }.max()
        #expect(end == file.fileBytes)
        let norm = file.bytes(of: try #require(file.tensor(named: "output_norm.weight")))
        #expect(norm.count == 576 * 4)
        #expect(norm.loadUnaligned(as: Float.self).isFinite)
    }

    @Test("a file written by GGUFWriter reads back with the same metadata, shapes and bytes",
          arguments: [32, 64, 1])
    func writerRoundTrip(alignment: Int) throws {
        let writer = Self.syntheticWriter(alignment: alignment)
        let file = try GGUFFile(bytes: writer.encoded())
        #expect(file.alignment == alignment)
        #expect(file.dataOffset % alignment == 0)
        #expect(file.metadata["u64"] == .uint64(UInt64.max))
        #expect(file.metadata["i64"]?.int == Int(Int64.min))
        #expect(file.metadata["u64"]?.int == nil)
        #expect(file.metadata["f32"]?.float == 1.5)
        #expect(file.metadata["f64"]?.float == -2.25)
        #expect(file.metadata["flag"]?.bool == true)
        #expect(file.metadata["text"]?.string == "héllo 🌍")
        #expect(file.metadata["tokens"] == .array([.string("a"), .string("<|im_start|>"), .string("")]))
        let nested: GGUFValue = .array([.array([.int32(1), .int32(2)]), .array([.string("x")]), .array([])])
        #expect(file.metadata["nested"] == nested)
        #expect(file.metadata["empty"] == .array([]))
        #expect(Array(file.metadataKeys.suffix(3)) == ["tokens", "nested", "empty"])
        #expect(file.tensors.map(\.name) == ["norm", "w", "e"])
        let weights = try #require(file.tensor(named: "w"))
        #expect(weights.type == .q4_1 && weights.dimensions == [64, 2] && weights.elementCount == 128)
        #expect(Array(file.bytes(of: weights)) == Self.pattern(80, 7))
        #expect(Array(file.bytes(of: try #require(file.tensor(named: "e")))) == Self.pattern(102, 3))
        #expect(file.tensors.allSatisfy { $0.offset % alignment == 0 })
    }

    @Test("the reference model's metadata survives a rewrite through GGUFWriter",
          .enabled(if: GGUFReferenceFiles.hasModel))
    func referenceMetadataRoundTrip() throws {
        let original = try #require(GGUFReferenceFiles.model).file
        var writer = GGUFWriter()
        for key in original.metadataKeys { writer.set(key, try #require(original.metadata[key])) }
        let copy = try GGUFFile(bytes: writer.encoded())
        #expect(copy.metadataKeys == original.metadataKeys)
        #expect(copy.metadata == original.metadata)
    }

    @Test("a path that does not exist is reported as cannotOpen")
    func missingFile() {
        #expect(throws: GGUFError.cannotOpen(path: "/nonexistent/x.gguf", operation: "open", errno: ENOENT)) {
            try GGUFFile(path: "/nonexistent/x.gguf")
        }
    }

    @Test("wrong magic and wrong versions are rejected with their own errors")
    func rejectsMagicAndVersion() {
        var bytes = Self.syntheticWriter().encoded()
        bytes[0] = UInt8(ascii: "X")
        #expect(throws: GGUFError.notGGUF(magic: 0x4655_4758)) { try GGUFFile(bytes: bytes) }
        for version: UInt8 in [1, 2, 4] {
            var versioned = Self.syntheticWriter().encoded()
            versioned[4] = version
            #expect(throws: GGUFError.unsupportedVersion(UInt32(version))) { try GGUFFile(bytes: versioned) }
        }
        #expect(throws: GGUFError.truncated(at: 0, reading: "magic")) { try GGUFFile(bytes: []) }
        let message = String(describing: GGUFError.notGGUF(magic: 0x4655_4758))
        #expect(message.contains("not a GGUF file"))
    }

    @Test("counts over their limits are rejected before allocation")
    func rejectsOversizedCounts() throws {
        var bytes = Self.syntheticWriter().encoded()
        bytes.replaceSubrange(8..<16, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: GGUFError.limitExceeded(
            what: "tensor count", value: UInt64.max, limit: GGUFLimits.tensorCountMax, at: 8)) {
            try GGUFFile(bytes: bytes)
        }
        var keys = Self.syntheticWriter().encoded()
        keys.replaceSubrange(16..<24, with: [0, 0, 0, 1, 0, 0, 0, 0])
        #expect(throws: GGUFError.limitExceeded(
            what: "metadata key/value count", value: 1 << 24, limit: GGUFLimits.keyValueCountMax, at: 16)) {
            try GGUFFile(bytes: keys)
        }
        // A huge array count that passes the limit but not the bytes left.
        var writer = GGUFWriter()
        writer.set("a", .array([.uint32(7)]))
        var array = writer.encoded()
        let countAt = 24 + 8 + 1 + 4 + 4  // header, key length, "a", value type, element type
        array.replaceSubrange(countAt..<(countAt + 8), with: [0, 0, 0, 1, 0, 0, 0, 0])
        #expect(throws: GGUFError.truncated(at: countAt, reading: "16777216 elements of a")) {
            try GGUFFile(bytes: array)
        }
    }

    @Test("tensor infos with bad ranks, types, offsets or ranges are rejected")
    func rejectsBadTensors() throws {
        func image(rank: UInt32 = 1, extent: UInt64 = 32, type: UInt32 = 0, offset: UInt64 = 0, data: Int = 128)
            -> [UInt8]
        {
            var out: [UInt8] = Array("GGUF".utf8) + [3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
            func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out += $0 } }
            put(UInt64(1)); out += Array("t".utf8)
            put(rank)
            for _ in 0..<min(rank, 8) { put(extent) }
            put(type); put(offset)
            while out.count % 32 != 0 { out.append(0) }
            return out + [UInt8](repeating: 0, count: data)
        }
        #expect(throws: Never.self) { try GGUFFile(bytes: image()) }
        #expect(throws: GGUFError.limitExceeded(what: "dimension count of t", value: 5, limit: 4, at: 33)) {
            try GGUFFile(bytes: image(rank: 5))
        }
        #expect(throws: GGUFError.unknownTensorType(4, tensor: "t")) { try GGUFFile(bytes: image(type: 4)) }
        #expect(throws: GGUFError.tensorOutOfRange(tensor: "t", reason: "offset 16 is not a multiple of 32")) {
            try GGUFFile(bytes: image(offset: 16))
        }
        #expect(throws: GGUFError.invalidTensorShape(tensor: "t", reason: "dimension 0 is 0")) {
            try GGUFFile(bytes: image(extent: 0))
        }
        #expect(throws: GGUFError.self) { try GGUFFile(bytes: image(data: 127)) }
        #expect(throws: GGUFError.self) { try GGUFFile(bytes: image(offset: 32)) }
        #expect(throws: GGUFError.self) { try GGUFFile(bytes: image(rank: 4, extent: 1 << 20)) }
        #expect(throws: GGUFError.self) { try GGUFFile(bytes: image(extent: 33, type: 3)) }
    }

    @Test("duplicate keys, duplicate tensors and bad alignments are rejected")
    func rejectsDuplicatesAndAlignment() throws {
        var bytes = Array(GGUFWriter().encoded().prefix(24))
        bytes[16] = 2
        bytes += [1, 0, 0, 0, 0, 0, 0, 0, UInt8(ascii: "k"), 7, 0, 0, 0, 1]
        bytes += [1, 0, 0, 0, 0, 0, 0, 0, UInt8(ascii: "k"), 7, 0, 0, 0, 0]
        #expect(throws: GGUFError.duplicateKey("k")) { try GGUFFile(bytes: bytes) }
        for bad: GGUFValue in [.uint32(3), .uint32(0), .uint32(1 << 20), .string("32")] {
            var writer = GGUFWriter()
            writer.set("general.alignment", bad)
            #expect(throws: GGUFError.self) { try GGUFFile(bytes: writer.encoded()) }
        }
        var twice = GGUFWriter()
        twice.addTensor(name: "a", dimensions: [1], type: .f32, data: [0, 0, 0, 0])
        twice.addTensor(name: "b", dimensions: [1], type: .f32, data: [0, 0, 0, 0])
        var image = twice.encoded()
        let second = try #require(image.indices.first { image[$0] == UInt8(ascii: "b") })
        image[second] = UInt8(ascii: "a")
        #expect(throws: GGUFError.duplicateTensor("a")) { try GGUFFile(bytes: image) }
    }

    @Test("every truncation and 20,000 seeded mutations of a synthetic file throw GGUFError or read")
    func fuzzSynthetic() {
        let original = Self.syntheticWriter().encoded()
        var random = TestRandom(seed: 0x6767_7566)
        var readCount = 0
        for length in 0..<original.count {
            if Self.readsOrThrowsGGUFError(Array(original[0..<length])) { readCount += 1 }
        }
        for _ in 0..<20_000 {
            var bytes = original
            Self.mutate(&bytes, using: &random)
            if Self.readsOrThrowsGGUFError(bytes) { readCount += 1 }
        }
        #expect(readCount > 0 && readCount < 20_000 + original.count)
    }

    @Test("10,000 seeded mutations of the reference model's first 64 KiB only throw GGUFError",
          .enabled(if: GGUFReferenceFiles.hasModel))
    func fuzzReferencePrefix() throws {
        let path = try #require(GGUFReferenceFiles.modelPath)
        let handle = try #require(FileHandle(forReadingAtPath: path))
        let prefix = [UInt8](try #require(try handle.read(upToCount: 64 * 1024)))
        var random = TestRandom(seed: 0x5EED_0064)
        for _ in 0..<10_000 {
            var bytes = prefix
            Self.mutate(&bytes, using: &random)
            if random.next() % 4 == 0 { bytes.removeLast(Int(random.next() % UInt64(bytes.count))) }
            #expect(!Self.readsOrThrowsGGUFError(bytes))
        }
    }

    /// Overwrites a few bytes (or a whole little-endian count) with hostile values, or cuts the tail.
    static func mutate(_ bytes: inout [UInt8], using random: inout TestRandom) {
        let edits = 1 + Int(random.next() % 4)
        for _ in 0..<edits {
            let at = Int(random.next() % UInt64(bytes.count))
            switch random.next() % 5 {
            case 0: bytes[at] = UInt8(truncatingIfNeeded: random.next())
            case 1: bytes[at] ^= UInt8(1) << (random.next() % 8)
            case 2: bytes[at] = [0, 0xFF, 0x7F, 0x80, 13][Int(random.next() % 5)]
            case 3:
                let width = min(8, bytes.count - at)
                let value = [UInt64.max, UInt64(Int64.max), 1 << 32, 1 << 24, 0][Int(random.next() % 5)]
                for index in 0..<width { bytes[at + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
            default: bytes.removeLast(Int(random.next() % UInt64(bytes.count)))
            }
            if bytes.isEmpty { return }
        }
    }

    /// True when the bytes read as a GGUF file; false when they throw a GGUFError. Any other error fails.
    static func readsOrThrowsGGUFError(_ bytes: [UInt8]) -> Bool {
        do {
            let file = try GGUFFile(bytes: bytes)
            for tensor in file.tensors { _ = file.bytes(of: tensor) }
            return true
        } catch {
            _ = error.description
            return false
        }
    }
}
