import Foundation
public import PoUWCore

/// How the simulated network treats frames: one-way latency is `latencyMinNanoseconds` plus an
/// exponentially distributed extra with mean `latencyExtraMeanNanoseconds`, capped at
/// `latencyExtraMaxNanoseconds`, drawn per frame (so frames overtake one another); each frame is lost
/// with probability `lossProbability`.
public struct NetworkConditions: Sendable {
    public var latencyMinNanoseconds: Nanoseconds = 10_000_000
    public var latencyExtraMeanNanoseconds: Nanoseconds = 40_000_000
    public var latencyExtraMaxNanoseconds: Nanoseconds = 500_000_000
    public var lossProbability = 0.0
    /// The interval of every node's `tick`.
    public var tickIntervalNanoseconds: Nanoseconds = 1_000_000_000

    public init() {}

    func check() {
        precondition(lossProbability >= 0 && lossProbability < 1, "loss is a probability below 1")
        precondition(tickIntervalNanoseconds > 0)
    }

    /// One frame's one-way latency.
    func latency(using generator: inout SeededGenerator) -> Nanoseconds {
        let uniform = Double.random(in: 0..<1, using: &generator)
        let extra = -log1p(-uniform) * Double(latencyExtraMeanNanoseconds)
        return latencyMinNanoseconds + Nanoseconds(min(extra, Double(latencyExtraMaxNanoseconds)))
    }

    /// Whether one frame is lost.
    func loses(using generator: inout SeededGenerator) -> Bool {
        lossProbability > 0 && Double.random(in: 0..<1, using: &generator) < lossProbability
    }
}

/// Running totals of the simulated network.
public struct NetworkStats: Sendable, Equatable {
    public var framesSent = 0
    public var bytesSent = 0
    public var framesDelivered = 0
    /// Frames lost to `lossProbability`.
    public var framesLost = 0
    /// Frames cut by a partition (checked on arrival).
    public var framesPartitioned = 0
    /// Frames sent to, or arriving over, a link that is not up.
    public var framesUnlinked = 0
    public var disconnects = 0

    public init() {}
}
