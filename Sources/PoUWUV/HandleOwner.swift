/// Ownership of libuv handles: which Swift object a handle belongs to and when its memory goes.
internal import CLibUV

/// The memory of one libuv handle (`uv_handle_size(type)` bytes), freed when this box goes.
final class UVHandleMemory {
    let raw: UnsafeMutableRawPointer
    fileprivate(set) var isAdopted = false
    fileprivate(set) var isClosing = false

    init(type: uv_handle_type) {
        let byteCount = uv_handle_size(type)
        raw = .allocate(byteCount: byteCount, alignment: 16)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    deinit {
        raw.deallocate()
    }

    /// The handle as libuv's base type.
    var handle: UnsafeMutablePointer<uv_handle_t> { UnsafeMutablePointer(OpaquePointer(raw)) }

    /// The handle as its concrete type (`uv_tcp_t`, `uv_timer_t`, ...).
    func typed<Handle>(_: Handle.Type = Handle.self) -> UnsafeMutablePointer<Handle> {
        UnsafeMutablePointer(OpaquePointer(raw))
    }
}

/// A Swift object that owns one libuv handle (a timer, a TCP socket, ...).
///
/// Lifetime contract: once `adopt()` has run (right after a successful `uv_*_init`), the handle's
/// `data` holds a retained reference to its owner, so the owner, and with it the handle's memory,
/// lives at least until libuv's close callback. That callback calls `handleDidClose()` and drops the
/// reference. If `uv_*_init` fails the owner is never adopted, and the memory goes with the owner.
///
/// Every method runs on the loop thread.
protocol UVHandleOwner: AnyObject {
    var uvHandle: UVHandleMemory { get }
    /// Called when the loop stops, for every handle still open: record why, then `closeHandle()`.
    func closeForLoopStop()
    /// libuv has forgotten the handle: release what it used and tell whoever waits.
    func handleDidClose()
}

extension UVHandleOwner {
    func closeForLoopStop() { closeHandle() }

    func handleDidClose() {}

    var isClosing: Bool { uvHandle.isClosing }

    /// Records self in the handle's `data`, retained until the close callback.
    /// - Precondition: called once, after the handle was initialised.
    func adopt() {
        precondition(!uvHandle.isAdopted, "a libuv handle adopted twice")
        uvHandle.isAdopted = true
        uvHandle.handle.pointee.data = Unmanaged.passRetained(self as AnyObject).toOpaque()
    }

    /// Starts closing the handle; `handleDidClose()` follows from the loop. A second call does nothing.
    func closeHandle() {
        precondition(uvHandle.isAdopted, "closing a libuv handle that was never initialised")
        guard !uvHandle.isClosing else { return }
        uvHandle.isClosing = true
        uv_close(uvHandle.handle, uvHandleCloseCallback)
    }

    /// The owner of a handle whose type is known to be `Self`, without changing its retain count.
    static func owner<Handle>(of handle: UnsafeMutablePointer<Handle>?) -> Self {
        let base = UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle!))
        return unsafeDowncast(Unmanaged<AnyObject>.fromOpaque(base.pointee.data!).takeUnretainedValue(), to: Self.self)
    }
}

/// The owner recorded in a handle's `data`, whatever its type.
func uvHandleOwner(of handle: UnsafeMutablePointer<uv_handle_t>) -> any UVHandleOwner {
    guard let data = handle.pointee.data,
          let owner = Unmanaged<AnyObject>.fromOpaque(data).takeUnretainedValue() as? any UVHandleOwner
    else { preconditionFailure("a libuv handle without a PoUWUV owner") }
    return owner
}

/// libuv's close callback for every owned handle: drops the reference libuv held.
private func uvHandleCloseCallback(_ handle: UnsafeMutablePointer<uv_handle_t>?) {
    guard let handle, let data = handle.pointee.data else {
        preconditionFailure("closed a libuv handle that has no owner")
    }
    handle.pointee.data = nil
    guard let owner = Unmanaged<AnyObject>.fromOpaque(data).takeRetainedValue() as? any UVHandleOwner else {
        preconditionFailure("a libuv handle without a PoUWUV owner")
    }
    owner.handleDidClose()
}
