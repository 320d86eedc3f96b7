//! The edge between the host's C calls and Rust code: every call into the plugin goes
//! through here, so that no panic unwinds into the host (which the ABI forbids). Used by
//! the `lambda_plugin!` and `lambda_handler!` macros; not meant to be called directly.
//!
//! With the `std` feature a panic is caught (`catch_unwind`) and becomes the call's error.
//! Without it, `guard` tells the crate's panic handler which invocation (or INIT) is
//! running, so that it can answer with the panic before it aborts.

use crate::abi::{self, lambda_host_api, lambda_invocation, lambda_status};
use crate::host::{host_fn, Host};
use crate::status::HandlerError;
use crate::Invocation;
use alloc::string::String;
use core::ffi::c_void;

/// The error type a panic is reported with.
pub const PANIC_ERROR_TYPE: &str = "Rust.Panic";

/// Runs `body`; a panic in it becomes `Err` with the panic's text.
#[cfg(feature = "std")]
fn guard<R>(_host: *const lambda_host_api, _invocation: *const lambda_invocation, body: impl FnOnce() -> R) -> Result<R, String> {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    catch_unwind(AssertUnwindSafe(body)).map_err(|payload| {
        let text = if let Some(text) = payload.downcast_ref::<&str>() {
            String::from(*text)
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            String::from("a panic whose payload is not text")
        };
        // A payload whose own drop panics is leaked rather than unwound into the host.
        if let Err(again) = catch_unwind(AssertUnwindSafe(|| drop(payload))) {
            core::mem::forget(again);
        }
        text
    })
}

/// Runs `body` with the crate's panic handler told where to report; a panic never returns.
#[cfg(not(feature = "std"))]
fn guard<R>(host: *const lambda_host_api, invocation: *const lambda_invocation, body: impl FnOnce() -> R) -> Result<R, String> {
    Ok(crate::nostd::with_current(host, invocation, body))
}

/// Runs `handler` for the invocation at `raw`: `Ok` returns LAMBDA_OK (the host answers
/// `null` if the handler did not respond), `Err` and a panic are answered with `fail`.
///
/// # Safety
/// `raw` is the pointer the host passed the exported handler.
pub unsafe fn run_handler<F>(raw: *const lambda_invocation, handler: F) -> lambda_status
where
    F: FnOnce(&Invocation<'_>) -> Result<(), HandlerError>,
{
    let raw = match unsafe { raw.as_ref() } {
        Some(raw) => raw,
        None => return abi::LAMBDA_E_INVALID,
    };
    let invocation = unsafe { Invocation::from_raw(raw) };
    let error = match guard(raw.host, raw, || handler(&invocation)) {
        Ok(Ok(())) => return abi::LAMBDA_OK,
        Ok(Err(error)) => error,
        Err(panic) => HandlerError::new(PANIC_ERROR_TYPE, alloc::format!("the handler panicked: {panic}")),
    };
    // ALREADY_ANSWERED is fine: the handler answered, then returned an error.
    let _ = invocation.fail(&error.error_type, &error.message);
    abi::LAMBDA_ERROR
}

/// Runs an init hook; `Err` and a panic name the init failure (`fail(NULL, ...)`).
///
/// # Safety
/// `host` and `state` are the pointers the host passed the init hook.
pub unsafe fn run_init<F>(host: *const lambda_host_api, state: *mut *mut c_void, init: F) -> lambda_status
where
    F: FnOnce(&Host) -> Result<(), HandlerError>,
{
    if !state.is_null() {
        unsafe { *state = core::ptr::null_mut() };
    }
    let wrapper = Host { raw: host };
    let error = match guard(host, core::ptr::null(), || init(&wrapper)) {
        Ok(Ok(())) => return abi::LAMBDA_OK,
        Ok(Err(error)) => error,
        Err(panic) => HandlerError::new(PANIC_ERROR_TYPE, alloc::format!("the init hook panicked: {panic}")),
    };
    if let Some(fail) = host_fn!(host, fail) {
        let (error_type, message) = (crate::c_text(&error.error_type), crate::c_text(&error.message));
        unsafe { fail(core::ptr::null(), error_type.as_ptr().cast(), message.as_ptr().cast()) };
    }
    abi::LAMBDA_ERROR
}

/// Runs a shutdown hook; a panic in it is caught with `std` (the default panic hook has
/// already written it to stderr, the function's log) and the host goes on exiting.
pub fn run_shutdown<F: FnOnce()>(shutdown: F) {
    let _ = guard(core::ptr::null(), core::ptr::null(), shutdown);
}
