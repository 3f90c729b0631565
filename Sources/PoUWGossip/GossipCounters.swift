/// Running totals of what a router did, for logs, metrics and simulation reports.
public struct GossipCounters: Sendable, Equatable {
    /// Messages in received RPCs (before any filtering).
    public var messagesReceived = 0
    /// Received messages whose id was already in the seen cache.
    public var duplicateMessages = 0
    /// Received messages for topics we do not subscribe to (dropped).
    public var unsubscribedMessages = 0
    /// Received messages dropped because `pendingValidationsMax` were awaiting validation.
    public var validationQueueFullDrops = 0
    /// Messages handed to the application after it accepted them.
    public var messagesDelivered = 0
    /// Messages the application rejected.
    public var messagesRejected = 0
    /// Messages the application ignored, or did not answer in time.
    public var messagesIgnored = 0
    /// Our own messages published.
    public var messagesPublished = 0
    /// RPCs that did not decode.
    public var malformedRPCs = 0
    /// RPCs from graylisted peers, ignored unread.
    public var graylistedRPCs = 0
    /// Message ids asked for with IWANT.
    public var iwantIDsSent = 0
    /// Messages sent in answer to IWANT.
    public var iwantMessagesServed = 0
    /// IHAVE entries sent.
    public var ihavesSent = 0
    /// GRAFTs and PRUNEs sent.
    public var graftsSent = 0
    public var prunesSent = 0
    /// IWANT promises that were not kept in time.
    public var brokenPromises = 0
    /// Peers banned.
    public var bans = 0
    /// Frames sent, and their bytes.
    public var rpcsSent = 0
    public var bytesSent = 0

    public init() {}
}
