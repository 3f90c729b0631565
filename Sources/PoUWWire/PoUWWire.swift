/// PoUWWire owns the canonical binary codec of every protocol type.
public enum PoUWWireModule {}
