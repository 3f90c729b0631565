/// Versions of the software and of the protocol encodings it speaks.
public enum Version {
    /// The software release, printed by `pouw version`.
    public static let software = "0.1.0"
    /// The wire encoding version: the first byte of every encoded message.
    public static let wire: UInt8 = 1
}
