/// The chain id rule: 1 to `ChainLimits.chainIdBytesMax` (48) characters of `[a-z0-9-]`. This is a
/// subset of what a node's configuration accepts (PoUWNode allows up to `Limits.chainIdBytesMax`), so
/// every chain id a genesis accepts is also a valid node chain id.
public enum ChainId {
    /// Why `id` is not a valid chain id, or `nil` when it is.
    public static func violation(_ id: String) -> String? {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty, bytes.count <= ChainLimits.chainIdBytesMax else {
            return "must be 1 to \(ChainLimits.chainIdBytesMax) characters, got \(bytes.count)"
        }
        let allowed = bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
        guard allowed else { return "may contain only lower-case letters a-z, digits 0-9 and '-'" }
        return nil
    }

    /// Whether `id` is a valid chain id.
    public static func isValid(_ id: String) -> Bool { violation(id) == nil }
}
