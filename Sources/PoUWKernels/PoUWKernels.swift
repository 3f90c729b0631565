/// PoUWKernels owns SIMD numeric kernels with scalar references and a fixed reduction order.
public enum PoUWKernelsModule {}
