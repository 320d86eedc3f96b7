//! Reading the host's table of services safely: a field appended after 1.0 is read only
//! when the host's `struct_size` says its table has it.

use crate::abi::{lambda_host_api, lambda_invocation};
use crate::http::{self, HttpRequest, HttpResponse};
use crate::status::Status;
use crate::Level;
use alloc::string::String;

/// Reads `$field` of the host table at `$host` (a `*const lambda_host_api`), or `None`
/// when the host's table is too short to have it (a host built with an older header).
/// Through a raw pointer, because a reference would claim a whole 1.3 table.
macro_rules! host_fn {
    ($host:expr, $field:ident) => {{
        let host: *const $crate::abi::lambda_host_api = $host;
        let end = $crate::__offset_of!($crate::abi::lambda_host_api, $field) + core::mem::size_of::<usize>();
        if host.is_null() || (unsafe { (*host).struct_size } as usize) < end {
            None
        } else {
            unsafe { core::ptr::addr_of!((*host).$field).read() }
        }
    }};
}
pub(crate) use host_fn;

/// The host services outside an invocation: what the init hook receives. Valid for the
/// life of the process; `log` may be called from any thread at any time.
#[derive(Clone, Copy)]
pub struct Host {
    pub(crate) raw: *const lambda_host_api,
}

// The host's table is immutable and its services may be called from any thread.
unsafe impl Send for Host {}
unsafe impl Sync for Host {}

impl Host {
    /// The host's ABI version as (major, minor).
    pub fn abi_version(&self) -> (u16, u16) {
        unsafe { ((*self.raw).abi_major, (*self.raw).abi_minor) }
    }

    /// Writes one line to the function's log, without a request id.
    pub fn log(&self, level: Level, message: &str) {
        log(self.raw, core::ptr::null(), level, message)
    }

    /// Sends `request` outside any invocation, and copies the response out of the host's
    /// buffers. Meant for the init and shutdown hooks; a handler uses its `Invocation`'s.
    pub fn http_request(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, Status> {
        http::send(self.raw, core::ptr::null(), request)
    }

    /// Opens one pooled connection to `origin` ("https://host") ahead of the first request.
    pub fn http_prewarm(&self, origin: &str) -> Result<(), Status> {
        let prewarm = host_fn!(self.raw, http_prewarm).ok_or(Status::UNSUPPORTED)?;
        let origin = crate::c_text(origin);
        Status::check(unsafe { prewarm(core::ptr::null(), origin.as_ptr().cast()) })
    }

    /// Why the last `http_request` or `http_prewarm` made outside an invocation failed.
    pub fn last_error(&self) -> String {
        http::last_error(self.raw, core::ptr::null())
    }
}

pub(crate) fn log(host: *const lambda_host_api, invocation: *const lambda_invocation, level: Level, message: &str) {
    if let Some(log) = host_fn!(host, log) {
        unsafe { log(invocation, level as i32, message.as_ptr().cast(), message.len()) }
    }
}
