import Foundation
import PoUWAPI
import PoUWCore
import Synchronization

/// A backend with one block (height 1), one epoch (0), and a submission rule: transactions whose first byte
/// is 0xFF are refused; others get the hex of their bytes as id.
final class FakeBackend: NodeAPIBackend {
    let submitted = Mutex<[[UInt8]]>([])

    static let key = PublicKey([UInt8](repeating: 7, count: 32))

    static let statusView = StatusView(
        chainId: "fake-chain", moniker: "fake", nodeKey: Hex.encode(key.bytes), height: 1, headHash: "ab",
        epoch: 0, phase: .sprint, epochStartHeight: 0, nextEpochHeight: 100, round: 0, step: "propose",
        peerKeys: ["01", "02"], validators: [WeightView(key: "01", weight: 10)], totalWeight: 10,
        lastBlockTimeMs: 1_700_000_000_000, finalityLatencyMs: LatencyView(p50: 12.5, p99: nil, samples: 3),
        mempoolSize: 4, isSyncing: false, isValidator: true)

    static let blockView = BlockView(
        height: 1, hash: "aa", time: 1_700_000_000_000, proposer: "01", epoch: 0, stateCommitment: "cc",
        previousHash: "00", transactions: [TransactionView(id: "t1", sender: "01", nonce: 0, kind: "transfer",
                                                           summary: "5 to 02")],
        commitRound: 0, commitVoters: ["01"])

    func status() -> StatusView { Self.statusView }

    func block(height: UInt64) -> BlockView? { height == 1 ? Self.blockView : nil }

    func account(_ key: PublicKey) -> AccountView {
        AccountView(address: "pouw1fake", key: Hex.encode(key.bytes), balance: UInt64.max, nonce: 3, bonded: 2,
                    unbonding: 1)
    }

    func epoch(_ number: UInt64) -> EpochView? {
        number == 0 ? EpochView(number: 0, startHeight: 0, seed: "5eed", weights: [], sprintCommits: 0) : nil
    }

    func submitTransaction(_ bytes: [UInt8]) async -> Result<String, APIError> {
        if bytes.first == 0xFF { return .failure(.invalidRequest("bad signature", code: "bad_signature")) }
        submitted.withLock { $0.append(bytes) }
        return .success(Hex.encode(bytes))
    }
}

/// Runs `body` on a new thread: the server and client block their caller, which must not be a thread of
/// Swift concurrency's pool (the server needs that pool).
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
