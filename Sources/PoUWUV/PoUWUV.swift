/// PoUWUV owns the libuv event loop and TCP transport (owns CLibUV).
public enum PoUWUVModule {}
