/// Ownership of libuv handles: which Swift object a handle belongs to and when its memory goes.
internal import CLibUV

/// A Swift object that owns one libuv handle (a timer, a TCP socket, ...).
///
/// Lifetime contract: once `adopt()` has run (right after a successful `uv_*_init`), the handle's
/// `data` holds a retained reference to its owner, so the owner lives at least until libuv's close
/// callback. That callback calls `handleDidClose()` and drops the reference; the handle's memory is
/// freed in `deinit`, which therefore never runs while libuv still knows the handle. If `uv_*_init`
/// fails, the owner is never adopted and `deinit` frees the memory at once.
///
/// Every method runs on the loop thread.
class HandleOwner {
    /// The handle's memory: `uv_handle_size(type)` bytes, owned by this object.
    let rawHandle: UnsafeMutableRawPointer
    private(set) var isAdopted = false
    private(set) var isClosing = false

    init(type: uv_handle_type) {
        rawHandle = .allocate(byteCount: uv_handle_size(type), alignment: 16)
        rawHandle.initializeMemory(as: UInt8.self, repeating: 0, count: uv_handle_size(type))
    }

    deinit {
        rawHandle.deallocate()
    }

    /// The handle as libuv's base type.
    var handle: UnsafeMutablePointer<uv_handle_t> { UnsafeMutablePointer(OpaquePointer(rawHandle)) }

    /// Records self in the handle's `data`, retained until the close callback.
    /// - Precondition: called once, after the handle was initialised.
    func adopt() {
        precondition(!isAdopted, "a libuv handle adopted twice")
        isAdopted = true
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    /// Starts closing the handle; `handleDidClose()` follows from a later loop iteration. Closing
    /// twice is a no-op.
    func closeHandle() {
        precondition(isAdopted, "closing a libuv handle that was never initialised")
        guard !isClosing else { return }
        isClosing = true
        uv_close(handle, handleOwnerCloseCallback)
    }

    /// Called when the loop stops, for every handle still open: owners record why they close, then
    /// close. Overridden by owners that report a reason.
    func closeForLoopStop() {
        closeHandle()
    }

    /// libuv has forgotten the handle: release resources and tell whoever is waiting.
    func handleDidClose() {}

    /// The owner recorded in `handle.data`, without changing its retain count.
    static func owner(of handle: UnsafeMutablePointer<uv_handle_t>) -> HandleOwner {
        Unmanaged<HandleOwner>.fromOpaque(handle.pointee.data!).takeUnretainedValue()
    }

    /// The owner recorded in the `data` of a handle of a concrete type (`uv_tcp_t`, `uv_timer_t`, ...).
    static func owner<Handle>(ofTyped handle: UnsafeMutablePointer<Handle>?) -> HandleOwner {
        owner(of: UnsafeMutablePointer(OpaquePointer(handle!)))
    }
}

/// libuv's close callback for every handle owned by a `HandleOwner`: the last reference libuv held.
private func handleOwnerCloseCallback(_ handle: UnsafeMutablePointer<uv_handle_t>?) {
    guard let handle, let data = handle.pointee.data else {
        preconditionFailure("closed a libuv handle that has no owner")
    }
    handle.pointee.data = nil
    let owner = Unmanaged<HandleOwner>.fromOpaque(data).takeRetainedValue()
    owner.handleDidClose()
}
