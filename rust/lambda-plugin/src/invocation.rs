//! One invocation as a handler sees it, with the host services that answer it.

use crate::abi::lambda_invocation;
use crate::host::{host_fn, Host};
use crate::http::{self, HttpRequest, HttpResponse};
use crate::status::Status;
use crate::Level;
use crate::c::{c_char, CStr};
use alloc::string::String;

/// The invocation the host hands a handler. It borrows the host's struct, which is valid
/// only while the handler runs, so it cannot be kept past the handler's return; threads
/// the handler starts with `std::thread::scope` may use it (the host serialises calls).
pub struct Invocation<'a> {
    raw: &'a lambda_invocation,
}

// The host allows every service to be called from any thread while the handler runs, and
// serialises the calls; the lifetime keeps the wrapper inside the handler's call.
unsafe impl Send for Invocation<'_> {}
unsafe impl Sync for Invocation<'_> {}

/// A NUL-terminated string of the host's as `&str`: `None` for NULL, "" for invalid UTF-8
/// (the host promises UTF-8).
fn text<'a>(pointer: *const c_char) -> Option<&'a str> {
    if pointer.is_null() {
        None
    } else {
        Some(unsafe { CStr::from_ptr(pointer) }.to_str().unwrap_or(""))
    }
}

impl<'a> Invocation<'a> {
    /// Wraps the host's struct. Safety: `raw` is the pointer the host passed the handler,
    /// and the wrapper does not outlive the handler's call.
    pub unsafe fn from_raw(raw: &'a lambda_invocation) -> Self {
        Invocation { raw }
    }

    /// The raw struct, for what this API does not cover.
    pub fn raw(&self) -> &'a lambda_invocation {
        self.raw
    }

    /// The host services outside this invocation (the table the init hook got).
    pub fn host(&self) -> Host {
        Host { raw: self.raw.host }
    }

    /// The event, byte for byte as Lambda sent it (usually JSON).
    pub fn payload(&self) -> &'a [u8] {
        if self.raw.payload.is_null() || self.raw.payload_size == 0 {
            &[]
        } else {
            unsafe { core::slice::from_raw_parts(self.raw.payload.cast(), self.raw.payload_size) }
        }
    }

    /// The event as text, or `None` when it is not UTF-8.
    pub fn payload_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.payload()).ok()
    }

    /// The AWS request id.
    pub fn request_id(&self) -> &'a str {
        text(self.raw.request_id).unwrap_or("")
    }

    /// When the invocation times out, in milliseconds since the Unix epoch.
    pub fn deadline_ms(&self) -> i64 {
        self.raw.deadline_ms
    }

    /// The ARN the function was invoked with; may be empty.
    pub fn invoked_function_arn(&self) -> &'a str {
        text(self.raw.invoked_function_arn).unwrap_or("")
    }

    /// The X-Ray trace header (the only place it is with AWS_LAMBDA_MAX_CONCURRENCY > 1).
    pub fn trace_id(&self) -> Option<&'a str> {
        text(self.raw.trace_id)
    }

    /// The mobile SDK client context, as JSON text.
    pub fn client_context(&self) -> Option<&'a str> {
        text(self.raw.client_context)
    }

    /// The caller's Amazon Cognito identity, as JSON text.
    pub fn cognito_identity(&self) -> Option<&'a str> {
        text(self.raw.cognito_identity)
    }

    /// The tenant id of a tenant-isolated function.
    pub fn tenant_id(&self) -> Option<&'a str> {
        text(self.raw.tenant_id)
    }

    fn ptr(&self) -> *const lambda_invocation {
        self.raw
    }

    /// Answers the invocation with `data` (usually JSON); the host sends it before it
    /// returns. Once per invocation.
    pub fn respond(&self, data: &[u8]) -> Result<(), Status> {
        let respond = host_fn!(self.raw.host, respond).ok_or(Status::UNSUPPORTED)?;
        Status::check(unsafe { respond(self.ptr(), data.as_ptr().cast(), data.len()) })
    }

    /// Answers the invocation with an error; NUL bytes in either text become spaces.
    /// Once per invocation; after `stream_begin` it goes into the stream's trailers.
    pub fn fail(&self, error_type: &str, message: &str) -> Result<(), Status> {
        let fail = host_fn!(self.raw.host, fail).ok_or(Status::UNSUPPORTED)?;
        let (error_type, message) = (crate::c_text(error_type), crate::c_text(message));
        Status::check(unsafe { fail(self.ptr(), error_type.as_ptr().cast(), message.as_ptr().cast()) })
    }

    /// Writes one line to the function's log, tagged with the request id.
    pub fn log(&self, level: Level, message: &str) {
        crate::host::log(self.raw.host, self.ptr(), level, message)
    }

    /// Milliseconds left before the invocation times out; 0 once it has.
    pub fn remaining_time_ms(&self) -> i64 {
        match host_fn!(self.raw.host, remaining_time_ms) {
            Some(remaining) => unsafe { remaining(self.ptr()) },
            None => 0,
        }
    }

    /// Starts a streamed answer (ABI 1.1) with `content_type` (`None`:
    /// application/octet-stream). It counts as the invocation's answer.
    pub fn stream_begin(&self, content_type: Option<&str>) -> Result<(), Status> {
        if host_fn!(self.raw.host, stream_end).is_none() {
            return Err(Status::UNSUPPORTED);
        }
        let begin = host_fn!(self.raw.host, stream_begin).ok_or(Status::UNSUPPORTED)?;
        let content_type = content_type.map(crate::c_text);
        let pointer = content_type.as_ref().map_or(core::ptr::null(), |t| t.as_ptr().cast());
        Status::check(unsafe { begin(self.ptr(), pointer) })
    }

    /// Sends `data` as one chunk of the stream before it returns.
    pub fn stream_write(&self, data: &[u8]) -> Result<(), Status> {
        let write = host_fn!(self.raw.host, stream_write).ok_or(Status::UNSUPPORTED)?;
        Status::check(unsafe { write(self.ptr(), data.as_ptr().cast(), data.len()) })
    }

    /// Ends the stream (a handler that returns `Ok` without it has it ended cleanly).
    pub fn stream_end(&self) -> Result<(), Status> {
        let end = host_fn!(self.raw.host, stream_end).ok_or(Status::UNSUPPORTED)?;
        Status::check(unsafe { end(self.ptr()) })
    }

    /// Sends `request` through the host (ABI 1.2; signed by the host with `aws_service`,
    /// ABI 1.3) and waits for the whole response, copied out of the host's buffers.
    /// On `HTTP_NOT_SENT` or `HTTP_FAILED`, `last_error` says why.
    pub fn http_request(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, Status> {
        http::send(self.raw.host, self.ptr(), request)
    }

    /// Why the last `http_request` of this invocation failed, naming the destination; ""
    /// after a success.
    pub fn last_error(&self) -> String {
        http::last_error(self.raw.host, self.ptr())
    }
}
