internal import CSodium

/// Facts about the linked libsodium.
public enum SodiumLibrary {
    /// The version string of the libsodium the binary runs against, e.g. "1.0.18".
    public static var version: String { String(cString: sodium_version_string()) }
}
