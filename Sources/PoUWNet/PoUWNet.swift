/// PoUWNet owns transport abstractions, framing and the Noise handshake.
public enum PoUWNetModule {}
