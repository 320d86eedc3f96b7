//! The C ABI of `Sources/CLambdaPlugin/include/lambda_plugin.h` (ABI 1.4), written once as
//! `#[repr(C)]` types. Field names and order follow the header; `tests/layout.rs` compiles
//! a C program against the header and compares every size and offset with these.
#![allow(non_camel_case_types)]

pub use crate::c::c_char;
use core::ffi::c_void;

/// First field of every descriptor: "LPLG" in ASCII.
pub const LAMBDA_PLUGIN_MAGIC: u32 = 0x4C50_4C47;
/// The ABI major version; also part of the entry symbol's name.
pub const LAMBDA_PLUGIN_ABI_MAJOR: u16 = 1;
/// The ABI minor version of the header these types copy.
pub const LAMBDA_PLUGIN_ABI_MINOR: u16 = 4;
/// The size of a descriptor up to its 1.0 fields: the `struct_size` of a plugin that leaves
/// the 1.4 `handler` unset, which hosts before 1.4 (refusing a descriptor larger than
/// their own) still load.
pub const LAMBDA_PLUGIN_DESCRIPTOR_SIZE_1_0: u32 = 56;
/// The least host minor version this crate needs: it checks the host's table before it
/// calls anything appended after 1.0, so any 1.x host loads its plugins.
pub const LAMBDA_PLUGIN_REQUIRED_MINOR: u16 = 0;

/// What plugin functions return, and what host services return to the plugin.
pub type lambda_status = i32;
pub const LAMBDA_OK: lambda_status = 0;
pub const LAMBDA_ERROR: lambda_status = 1;
pub const LAMBDA_E_ALREADY_ANSWERED: lambda_status = -1;
pub const LAMBDA_E_TOO_LARGE: lambda_status = -2;
pub const LAMBDA_E_INVALID: lambda_status = -3;
pub const LAMBDA_E_IO: lambda_status = -4;
pub const LAMBDA_E_UNSUPPORTED: lambda_status = -5;
pub const LAMBDA_E_HTTP_NOT_SENT: lambda_status = -6;
pub const LAMBDA_E_HTTP_FAILED: lambda_status = -7;

pub const LAMBDA_LOG_TRACE: i32 = 0;
pub const LAMBDA_LOG_DEBUG: i32 = 1;
pub const LAMBDA_LOG_INFO: i32 = 2;
pub const LAMBDA_LOG_WARN: i32 = 3;
pub const LAMBDA_LOG_ERROR: i32 = 4;
pub const LAMBDA_LOG_FATAL: i32 = 5;

/// Descriptor flag: the handler may be called from several threads at once.
pub const LAMBDA_PLUGIN_THREAD_SAFE: u32 = 1 << 0;
/// Request flag: do not add the invocation's X-Amzn-Trace-Id header.
pub const LAMBDA_HTTP_NO_TRACE_HEADER: u32 = 1 << 0;
/// Request flag (ABI 1.3): S3 path-style addressing.
pub const LAMBDA_HTTP_S3_PATH_STYLE: u32 = 1 << 1;

pub type lambda_handler_fn = unsafe extern "C" fn(invocation: *const lambda_invocation) -> lambda_status;
pub type lambda_init_fn = unsafe extern "C" fn(host: *const lambda_host_api, state: *mut *mut c_void) -> lambda_status;
pub type lambda_shutdown_fn = unsafe extern "C" fn(state: *mut c_void);
pub type lambda_plugin_entry_fn = unsafe extern "C" fn() -> *const lambda_plugin_descriptor;

#[repr(C)]
pub struct lambda_plugin_descriptor {
    pub magic: u32,
    pub abi_major: u16,
    pub abi_minor: u16,
    pub struct_size: u32,
    pub flags: u32,
    pub name: *const c_char,
    pub version: *const c_char,
    pub swift_toolchain: *const c_char,
    pub init: Option<lambda_init_fn>,
    pub shutdown: Option<lambda_shutdown_fn>,
    /// ABI 1.4: the handler, called when `_HANDLER` names the library alone; a function of
    /// the plugin's own. A descriptor that sets it declares `abi_minor` 4 and its whole
    /// size. The export macro leaves it `None` and exports `handler`, for any 1.x host.
    pub handler: Option<lambda_handler_fn>,
}

// A descriptor is immutable static data pointing at string literals, so sharing it between
// threads is sound; the export macro needs this to place it in a `static`.
unsafe impl Sync for lambda_plugin_descriptor {}

#[repr(C)]
pub struct lambda_invocation {
    pub struct_size: u32,
    pub reserved: u32,
    pub host: *const lambda_host_api,
    pub state: *mut c_void,
    pub payload: *const c_char,
    pub payload_size: usize,
    pub request_id: *const c_char,
    pub deadline_ms: i64,
    pub invoked_function_arn: *const c_char,
    pub trace_id: *const c_char,
    pub client_context: *const c_char,
    pub cognito_identity: *const c_char,
    pub tenant_id: *const c_char,
    pub host_private: *mut c_void,
}

#[repr(C)]
pub struct lambda_http_header {
    pub name: *const c_char,
    pub name_size: usize,
    pub value: *const c_char,
    pub value_size: usize,
}

#[repr(C)]
pub struct lambda_http_request {
    pub struct_size: u32,
    pub flags: u32,
    pub method: *const c_char,
    pub url: *const c_char,
    pub headers: *const lambda_http_header,
    pub header_count: usize,
    pub body: *const c_void,
    pub body_size: usize,
    pub timeout_ms: i64,
    pub aws_service: *const c_char,
    pub aws_region: *const c_char,
}

#[repr(C)]
pub struct lambda_http_response {
    pub struct_size: u32,
    pub status: i32,
    pub headers: *const lambda_http_header,
    pub header_count: usize,
    pub body: *const c_char,
    pub body_size: usize,
}

#[repr(C)]
pub struct lambda_host_api {
    pub struct_size: u32,
    pub abi_major: u16,
    pub abi_minor: u16,
    pub respond: Option<unsafe extern "C" fn(*const lambda_invocation, *const c_void, usize) -> lambda_status>,
    pub fail: Option<unsafe extern "C" fn(*const lambda_invocation, *const c_char, *const c_char) -> lambda_status>,
    pub log: Option<unsafe extern "C" fn(*const lambda_invocation, i32, *const c_char, usize)>,
    pub remaining_time_ms: Option<unsafe extern "C" fn(*const lambda_invocation) -> i64>,
    // ABI 1.1
    pub stream_begin: Option<unsafe extern "C" fn(*const lambda_invocation, *const c_char) -> lambda_status>,
    pub stream_write: Option<unsafe extern "C" fn(*const lambda_invocation, *const c_void, usize) -> lambda_status>,
    pub stream_end: Option<unsafe extern "C" fn(*const lambda_invocation) -> lambda_status>,
    // ABI 1.2
    pub http_request: Option<
        unsafe extern "C" fn(*const lambda_invocation, *const lambda_http_request, *mut lambda_http_response) -> lambda_status,
    >,
    pub http_prewarm: Option<unsafe extern "C" fn(*const lambda_invocation, *const c_char) -> lambda_status>,
    pub last_error: Option<unsafe extern "C" fn(*const lambda_invocation) -> *const c_char>,
}
