//! What a `no_std` plugin needs from this crate: a global allocator over the C library's
//! malloc (libc is loaded in every process already, so it costs no NEEDED entry), and a
//! panic handler. A panic cannot be caught without std, so the handler answers the
//! running invocation (or INIT) with `Rust.Panic` and the panic's text and location, writes
//! the same to the log, and aborts: the host's crash guard then finds the invocation
//! answered and posts nothing more, and Lambda starts a new process.

use crate::abi::{lambda_host_api, lambda_invocation, LAMBDA_LOG_FATAL};
use crate::host::host_fn;
use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;
use core::fmt::Write;
use core::sync::atomic::{AtomicU32, Ordering};

// Linked by name, so that the plugin lists libc.so.6 as NEEDED like any C plugin.
#[link(name = "c")]
extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn realloc(pointer: *mut c_void, size: usize) -> *mut c_void;
    fn free(pointer: *mut c_void);
    fn posix_memalign(pointer: *mut *mut c_void, alignment: usize, size: usize) -> i32;
    fn abort() -> !;
    fn pthread_key_create(key: *mut u32, destructor: Option<unsafe extern "C" fn(*mut c_void)>) -> i32;
    fn pthread_key_delete(key: u32) -> i32;
    fn pthread_getspecific(key: u32) -> *mut c_void;
    fn pthread_setspecific(key: u32, value: *const c_void) -> i32;
}

/// glibc's malloc aligns to 16 bytes on x86_64 and arm64.
const MALLOC_ALIGNMENT: usize = 16;

struct Malloc;

unsafe impl GlobalAlloc for Malloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGNMENT && layout.align() <= layout.size() {
            unsafe { malloc(layout.size()) }.cast()
        } else {
            let mut pointer = core::ptr::null_mut();
            let alignment = layout.align().max(core::mem::size_of::<usize>());
            if unsafe { posix_memalign(&mut pointer, alignment, layout.size()) } != 0 {
                return core::ptr::null_mut();
            }
            pointer.cast()
        }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, _layout: Layout) {
        unsafe { free(pointer.cast()) }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGNMENT && layout.align() <= new_size {
            return unsafe { realloc(pointer.cast(), new_size) }.cast();
        }
        let new = unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, layout.align())) };
        if !new.is_null() {
            unsafe { core::ptr::copy_nonoverlapping(pointer, new, layout.size().min(new_size)) };
            unsafe { self.dealloc(pointer, layout) };
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Malloc = Malloc;

/// Where a panic on this thread is reported: the invocation running, or INIT (invocation
/// NULL, host set).
struct Current {
    host: *const lambda_host_api,
    invocation: *const lambda_invocation,
}

/// The pthread key of this thread's `Current`; u32::MAX until first used (glibc's keys
/// are below 1,024).
static KEY: AtomicU32 = AtomicU32::new(u32::MAX);

fn key() -> Option<u32> {
    let key = KEY.load(Ordering::Acquire);
    if key != u32::MAX {
        return Some(key);
    }
    let mut created = 0;
    if unsafe { pthread_key_create(&mut created, None) } != 0 {
        return None;
    }
    match KEY.compare_exchange(u32::MAX, created, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => Some(created),
        Err(other) => {
            unsafe { pthread_key_delete(created) };
            Some(other)
        }
    }
}

/// Runs `body` with this thread's panics reported to `invocation` (or to INIT).
pub(crate) fn with_current<R>(host: *const lambda_host_api, invocation: *const lambda_invocation, body: impl FnOnce() -> R) -> R {
    let current = Current { host, invocation };
    let Some(key) = key() else { return body() };
    let previous = unsafe { pthread_getspecific(key) };
    unsafe { pthread_setspecific(key, (&current as *const Current).cast()) };
    let result = body();
    unsafe { pthread_setspecific(key, previous) };
    result
}

/// A fixed buffer that `write!` fills and truncates, so reporting a panic allocates nothing.
struct Text {
    bytes: [u8; 1024],
    length: usize,
}

impl Write for Text {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        // One byte stays free for the NUL.
        for &byte in text.as_bytes() {
            if self.length + 1 >= self.bytes.len() {
                break;
            }
            self.bytes[self.length] = if byte == 0 { b' ' } else { byte };
            self.length += 1;
        }
        Ok(())
    }
}

// core and alloc come prebuilt with unwinding landing pads that name these two symbols.
// With panic = "abort" nothing ever unwinds, so they are never called, but the host opens
// the plugin with RTLD_NOW, which needs every symbol defined.
#[no_mangle]
extern "C" fn rust_eh_personality() {}

#[no_mangle]
extern "C" fn _Unwind_Resume() -> ! {
    unsafe { abort() }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut text = Text { bytes: [0; 1024], length: 0 };
    let _ = write!(text, "the handler panicked: {}", info.message());
    if let Some(location) = info.location() {
        let _ = write!(text, " (at {}:{})", location.file(), location.line());
    }
    let current = match key() {
        Some(key) => unsafe { pthread_getspecific(key) }.cast::<Current>(),
        None => core::ptr::null(),
    };
    if let Some(current) = unsafe { current.as_ref() } {
        if let Some(log) = host_fn!(current.host, log) {
            unsafe { log(current.invocation, LAMBDA_LOG_FATAL, text.bytes.as_ptr().cast(), text.length) };
        }
        if let Some(fail) = host_fn!(current.host, fail) {
            unsafe { fail(current.invocation, c"Rust.Panic".as_ptr(), text.bytes.as_ptr().cast()) };
        }
    }
    unsafe { abort() }
}
