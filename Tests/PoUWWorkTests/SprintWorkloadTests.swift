import Foundation
import PoUWCore
import PoUWCrypto
import PoUWInference
import PoUWWork
import Testing

private let modelPath: String? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let path = ProcessInfo.processInfo.environment["POUW_MODEL"]
        ?? root.appendingPathComponent(".models/SmolLM2-135M-Instruct.Q4_1.gguf").path
    guard FileManager.default.fileExists(atPath: path) else {
        print("⚠️ SKIPPING Sprint workload tests: no model at \(path); run Deploy/setup.sh")
        return nil
    }
    return path
}()

private let models: [Int: InferenceModel] = {
    guard let modelPath, let file = try? GGUFFile(path: modelPath) else { return [:] }
    var out: [Int: InferenceModel] = [:]
    for threads in [1, 2] { out[threads] = try? InferenceModel(file: file, threads: threads) }
    return out
}()
private let lock = NSLock()

@Suite(.enabled(if: modelPath != nil, "reference model absent: run Deploy/setup.sh"))
struct SprintWorkloadTests {
    let seed = Blake2b256.hash(Array("epoch 7".utf8))
    let key = KeyPair(seed: [UInt8](repeating: 3, count: 32)).publicKey

    @Test("an artifact is a deterministic function of (epoch seed, key, nonce), on any thread count")
    func artifactsAreDeterministic() throws {
        lock.lock()
        defer { lock.unlock() }
        let one = SprintWorkload(model: try #require(models[1]))
        let two = SprintWorkload(model: try #require(models[2]))
        let a = try one.run(epochSeed: seed, publicKey: key, nonce: 42)
        #expect(try one.run(epochSeed: seed, publicKey: key, nonce: 42) == a)
        #expect(try two.run(epochSeed: seed, publicKey: key, nonce: 42) == a)
        #expect(a.values.count == SprintWorkload.artifactDimensions && a.values.allSatisfy(\.isFinite))
    }

    @Test("another nonce, key or epoch seed gives another input and another artifact")
    func inputsSeparate() throws {
        lock.lock()
        defer { lock.unlock() }
        let w = SprintWorkload(model: try #require(models[2]))
        let base = try w.run(epochSeed: seed, publicKey: key, nonce: 1)
        let otherKey = KeyPair(seed: [UInt8](repeating: 4, count: 32)).publicKey
        let variants = [
            try w.run(epochSeed: seed, publicKey: key, nonce: 2),
            try w.run(epochSeed: seed, publicKey: otherKey, nonce: 1),
            try w.run(epochSeed: Blake2b256.hash(Array("epoch 8".utf8)), publicKey: key, nonce: 1),
        ]
        for v in variants { #expect(v.hash != base.hash && v.values != base.values) }
        let input = w.input(epochSeed: seed, publicKey: key, nonce: 1)
        #expect(input.count == SprintWorkload.inputTokens)
        #expect(input.allSatisfy { $0 >= SprintWorkload.firstRegularToken && $0 < w.model.config.vocabularySize })
        #expect(input != w.input(epochSeed: seed, publicKey: key, nonce: 2))
    }

    @Test("a verifier accepts an honest artifact and rejects a tampered or misattributed one")
    func verifierChecksArtifacts() throws {
        lock.lock()
        defer { lock.unlock() }
        let w = SprintWorkload(model: try #require(models[2]))
        let honest = try w.run(epochSeed: seed, publicKey: key, nonce: 9)
        #expect(try w.verify(honest, epochSeed: seed, publicKey: key))
        var values = honest.values
        values[0] = values[0].nextUp
        let forged = SprintArtifact(nonce: 9, values: values, hash: SprintWorkload.hash(nonce: 9, values: values))
        #expect(forged.hash != honest.hash)
        #expect(try !w.verify(forged, epochSeed: seed, publicKey: key))
        let otherKey = KeyPair(seed: [UInt8](repeating: 5, count: 32)).publicKey
        #expect(try !w.verify(honest, epochSeed: seed, publicKey: otherKey))
        let renumbered = SprintArtifact(nonce: 10, values: honest.values, hash: honest.hash)
        #expect(try !w.verify(renumbered, epochSeed: seed, publicKey: key))
    }
}
