import Foundation
import PoUWAPI
import PoUWCore
import Testing

/// End-to-end: real `pouw node` processes on 127.0.0.1, libuv sockets, LMDB on disk, the real model in
/// the Sprint. One scenario, because each phase builds on the chain the previous one made.
@Suite(.serialized)
struct TestnetTests {
    @Test func fourNodesFinalizeSurviveKillsRestartsAndSyncLateJoiner() throws {
        let net = try LocalTestnet(validators: 4, observers: 1, extraArguments: [
            "--epoch-length", "10", "--sprint-length", "3", "--block-ms", "1000", "--sprint-nonces", "6",
        ])
        defer { net.stop() }
        let validators = [0, 1, 2, 3]
        for index in validators { try net.start(index) }

        // 1. Four validators finalize blocks.
        let reached = net.waitForHeight(15, nodes: validators, seconds: 120)
        #expect(reached, "4 nodes did not reach height 15:\n\(net.logTail(0))")
        guard reached else { return }

        // 1b. `pouw tx`: two transfers in a row (the second uses the pooled nonce) land in blocks and every node
        // sees the balance; an overspend is refused with the reason and changes nothing.
        let recipient = try accountKey(of: net, node: 1)
        let before1 = try net.client(2).account(recipient).balance
        for amount in [1_000, 234] {
            let sent = try LocalTestnet.run(["tx", "transfer", "--home", net.home(0), "--key", "account",
                                             "--to", recipient.description, "--amount", "\(amount)"])
            #expect(sent.status == 0, "pouw tx transfer failed: \(sent.text)")
        }
        let credited = net.wait(seconds: 30) {
            (try? net.client(2).account(recipient).balance) == before1 + 1_234
        }
        #expect(credited, "the transfers did not reach node2's state")
        let overspend = try LocalTestnet.run(["tx", "transfer", "--home", net.home(0), "--key", "account",
                                              "--to", recipient.description, "--amount", "\(UInt64.max / 2)"])
        #expect(overspend.status == 1 && overspend.text.contains("does not apply") && overspend.text.contains("holds"),
                "\(overspend.text)")
        let registered = try LocalTestnet.run(["tx", "register-host", "--home", net.home(0), "--models", "m-a,m-b",
                                               "--endpoint", "http://127.0.0.1:1", "--hardware", "cpu-test"])
        #expect(registered.status == 0, "\(registered.text)")
        let listed = net.wait(seconds: 30) {
            let hosts = (try? net.client(3).hosts()) ?? []
            return hosts.contains { $0.models == ["m-a", "m-b"] && $0.hardwareClass == "cpu-test" }
        }
        #expect(listed, "node3's /hosts does not list the registered host")

        // 2. SIGKILL one node: the other three (75% of the weight) keep finalizing.
        net.kill(3)
        let before = validators.prefix(3).compactMap { net.height($0) }.max() ?? 0
        let kept = net.waitForHeight(before + 6, nodes: [0, 1, 2], seconds: 90)
        #expect(kept, "three nodes stalled after node3 was killed at height \(before):\n\(net.logTail(0))")

        // 3. Restart it: it catches up and agrees on every block.
        try net.start(3)
        let target = net.height(0) ?? 0
        let caughtUp = net.waitForHeight(target, nodes: [3], seconds: 90)
        #expect(caughtUp, "node3 did not catch up to \(target):\n\(net.logTail(3))")
        try expectSameBlocks(net, nodes: validators, upTo: target)

        // 4. SIGKILL all four and restart them: no committed block is lost.
        var committed: [Int: UInt64] = [:]
        for index in validators { committed[index] = net.height(index) }
        let known = max(committed[0] ?? 1, 1)
        let hashes = try (1...known).map { try net.client(0).block($0).hash }
        for index in validators { net.kill(index) }
        for index in validators { try net.start(index) }
        let restarted = net.wait(seconds: 60) { validators.allSatisfy { net.height($0) != nil } }
        #expect(restarted, "nodes did not come back:\n\(net.logTail(0))")
        for index in validators {
            let height = net.height(index) ?? 0
            #expect(height >= committed[index] ?? 0, "node\(index) lost blocks: \(committed[index] ?? 0) → \(height)")
        }
        for height in 1...known {
            #expect(try net.client(1).block(height).hash == hashes[Int(height) - 1], "block \(height) changed")
        }

        // 5. The chain goes on to ≥ 50 blocks, through several epochs and Sprints.
        let fifty = net.waitForHeight(50, nodes: validators, seconds: 150)
        #expect(fifty, "the network did not reach height 50:\n\(net.logTail(0))")

        // 6. A fifth node started late syncs from genesis and agrees.
        try net.start(4)
        let head = net.height(0) ?? 0
        let synced = net.waitForHeight(head, nodes: [4], seconds: 90)
        #expect(synced, "node4 did not sync to \(head):\n\(net.logTail(4))")
        try expectSameBlocks(net, nodes: validators + [4], upTo: head)

        // 7. Epoch transitions with a Sprint happened: commits and verdicts on chain, weights from verified work.
        let status = try net.client(0).status()
        #expect(status.epoch >= 4)
        var kinds: [String: Int] = [:]
        var commitEpochs = Set<UInt64>()
        for height in 1...head {
            let block = try net.client(0).block(height)
            for tx in block.transactions {
                kinds[tx.kind, default: 0] += 1
                if tx.kind == "sprint-commit" { commitEpochs.insert(block.epoch) }
            }
        }
        #expect(commitEpochs.count >= 3, "Sprint commits only in epochs \(commitEpochs.sorted())")
        #expect((kinds["sprint-verdict"] ?? 0) >= 4, "too few Sprint verdicts: \(kinds)")
        var workWeighted = 0
        for epoch in 1...status.epoch where try net.client(0).epoch(epoch).weights.allSatisfy({ $0.weight != 100 }) {
            workWeighted += 1
        }
        #expect(workWeighted >= 2, "no epoch's weights came from the Sprint")

        // The pace: mean block interval over the chain (reported; the bound only catches a broken pacer).
        let first = try net.client(0).block(1).time
        let last = try net.client(0).block(head).time
        let meanMs = Double(last - first) / Double(max(head - 1, 1))
        print("testnet: \(head) blocks, mean interval \(String(format: "%.0f", meanMs)) ms, finality p50 "
              + "\(status.finalityLatencyMs.p50 ?? -1) ms p99 \(status.finalityLatencyMs.p99 ?? -1) ms")
        #expect(meanMs < 5_000)
    }

    /// The public key of node `node`'s account key file.
    func accountKey(of net: LocalTestnet, node: Int) throws -> PublicKey {
        let result = try LocalTestnet.run(["keys", "show", "--home", net.home(node), "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.text.utf8)) as? [String: Any]
        let hex = try #require(object?["account_public_key"] as? String, "no account key in \(result.text)")
        return PublicKey(try #require(Hex.decode(hex)))
    }

    /// Every node in `nodes` has the same block hash and state commitment at every height up to `height`.
    func expectSameBlocks(_ net: LocalTestnet, nodes: [Int], upTo height: UInt64) throws {
        guard height >= 1 else { return }
        for h in 1...height {
            let reference = try net.client(nodes[0]).block(h)
            for index in nodes.dropFirst() {
                let other = try net.client(index).block(h)
                #expect(other.hash == reference.hash && other.stateCommitment == reference.stateCommitment,
                        "node\(index) disagrees with node\(nodes[0]) at height \(h)")
            }
        }
    }
}
