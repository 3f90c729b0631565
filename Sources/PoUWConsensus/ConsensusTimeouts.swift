/// The steps of a round, the timeouts that end them, and how long each waits.
public import PoUWCore
public import PoUWWire

/// The step of the current round (the paper's step_p). Ordered: propose < prevote < precommit.
public enum ConsensusStep: UInt8, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case propose = 0
    case prevote = 1
    case precommit = 2

    public static func < (lhs: ConsensusStep, rhs: ConsensusStep) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .propose: "propose"
        case .prevote: "prevote"
        case .precommit: "precommit"
        }
    }
}

/// A timeout the core asked for (`ConsensusAction.scheduleTimeout`) and the driver hands back when it
/// expires (`ConsensusEvent.timeout`): OnTimeoutPropose/Prevote/Precommit(height, round) of the paper.
public struct TimeoutEvent: Hashable, Sendable, CustomStringConvertible {
    public var step: ConsensusStep
    public var height: UInt64
    public var round: UInt32

    public init(step: ConsensusStep, height: UInt64, round: UInt32) {
        self.step = step
        self.height = height
        self.round = round
    }

    public var description: String { "timeout(\(step), h=\(height), r=\(round))" }
}

/// How long each step waits: `base + round × delta`, so that rounds grow until they outlast the network's
/// real delays (the paper's timeoutPropose(r) etc.). Saturates instead of overflowing.
public struct ConsensusTimeouts: Sendable, Equatable {
    public var proposeBase: Nanoseconds
    public var proposeDelta: Nanoseconds
    public var prevoteBase: Nanoseconds
    public var prevoteDelta: Nanoseconds
    public var precommitBase: Nanoseconds
    public var precommitDelta: Nanoseconds

    /// Defaults for about one block a second on loopback or a LAN: propose 1 s + 0.5 s per round,
    /// prevote and precommit 0.5 s + 0.25 s per round.
    public init(
        proposeBase: Nanoseconds = 1_000_000_000, proposeDelta: Nanoseconds = 500_000_000,
        prevoteBase: Nanoseconds = 500_000_000, prevoteDelta: Nanoseconds = 250_000_000,
        precommitBase: Nanoseconds = 500_000_000, precommitDelta: Nanoseconds = 250_000_000
    ) {
        self.proposeBase = proposeBase
        self.proposeDelta = proposeDelta
        self.prevoteBase = prevoteBase
        self.prevoteDelta = prevoteDelta
        self.precommitBase = precommitBase
        self.precommitDelta = precommitDelta
    }

    /// The wait of `step` in `round`.
    public func duration(_ step: ConsensusStep, round: UInt32) -> Nanoseconds {
        let (base, delta) = switch step {
        case .propose: (proposeBase, proposeDelta)
        case .prevote: (prevoteBase, prevoteDelta)
        case .precommit: (precommitBase, precommitDelta)
        }
        let (growth, overflow) = delta.multipliedReportingOverflow(by: UInt64(round))
        guard !overflow else { return .max }
        let (total, overflowSum) = base.addingReportingOverflow(growth)
        return overflowSum ? .max : total
    }
}

extension ConsensusStep: WireCodable {
    public static var encodedBytesMin: Int { 1 }
    public func encode(to encoder: inout WireEncoder) { encoder.writeEnum(self) }
    public init(from decoder: inout WireDecoder) throws(WireError) {
        self = try decoder.readEnum(ConsensusStep.self)
    }
}

extension TimeoutEvent: WireCodable {
    public static var encodedBytesMin: Int { 1 + 8 + 4 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.write(step)
        encoder.writeUInt64(height)
        encoder.writeUInt32(round)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        step = try decoder.read(ConsensusStep.self)
        height = try decoder.readUInt64()
        round = try decoder.readUInt32()
    }
}
