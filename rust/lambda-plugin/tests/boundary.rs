//! The boundary against a host table written here: what a handler's `Ok`, `Err` and panic
//! become, and that functions a shorter (older) host table lacks are refused, never called.

// The unsafe blocks in unsafe fns are what Rust 2024 requires; Rust 1.63 calls them unnecessary.
#![allow(unused_unsafe)]

use lambda_plugin::abi::*;
use lambda_plugin::boundary::run_handler;
use lambda_plugin::{HandlerError, HttpRequest, Invocation, Status};
use std::ffi::{c_void, CStr};
use std::os::raw::c_char;
use std::sync::Mutex;

/// What the fake host was asked, in order, e.g. "fail Rust.Panic: ...".
static CALLS: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// The tests share CALLS, so they run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

unsafe extern "C" fn respond(_: *const lambda_invocation, data: *const c_void, size: usize) -> lambda_status {
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), size) };
    CALLS.lock().unwrap().push(format!("respond {}", String::from_utf8_lossy(bytes)));
    LAMBDA_OK
}

unsafe extern "C" fn fail(_: *const lambda_invocation, kind: *const c_char, message: *const c_char) -> lambda_status {
    let (kind, message) = unsafe { (CStr::from_ptr(kind), CStr::from_ptr(message)) };
    CALLS.lock().unwrap().push(format!("fail {}: {}", kind.to_string_lossy(), message.to_string_lossy()));
    LAMBDA_OK
}

unsafe extern "C" fn stream_begin(_: *const lambda_invocation, _: *const c_char) -> lambda_status {
    CALLS.lock().unwrap().push("stream_begin".into());
    LAMBDA_OK
}

unsafe extern "C" fn stream_end(_: *const lambda_invocation) -> lambda_status {
    LAMBDA_OK
}

fn host(struct_size: usize) -> lambda_host_api {
    lambda_host_api {
        struct_size: struct_size as u32,
        abi_major: 1,
        abi_minor: 3,
        respond: Some(respond),
        fail: Some(fail),
        log: None,
        remaining_time_ms: None,
        stream_begin: Some(stream_begin),
        stream_write: None,
        stream_end: Some(stream_end),
        http_request: None,
        http_prewarm: None,
        last_error: None,
    }
}

fn invocation(host: &lambda_host_api, payload: &'static [u8]) -> lambda_invocation {
    lambda_invocation {
        struct_size: std::mem::size_of::<lambda_invocation>() as u32,
        reserved: 0,
        host,
        state: std::ptr::null_mut(),
        payload: payload.as_ptr().cast(),
        payload_size: payload.len(),
        request_id: b"req-1\0".as_ptr().cast(),
        deadline_ms: 0,
        invoked_function_arn: b"\0".as_ptr().cast(),
        trace_id: std::ptr::null(),
        client_context: std::ptr::null(),
        cognito_identity: std::ptr::null(),
        tenant_id: std::ptr::null(),
        host_private: std::ptr::null_mut(),
    }
}

fn run(payload: &'static [u8], handler: fn(&Invocation) -> Result<(), HandlerError>) -> (lambda_status, Vec<String>) {
    let table = host(std::mem::size_of::<lambda_host_api>());
    let raw = invocation(&table, payload);
    CALLS.lock().unwrap().clear();
    let status = unsafe { run_handler(&raw, handler) };
    (status, CALLS.lock().unwrap().clone())
}

#[test]
fn ok_returns_ok_and_err_is_answered_with_its_type() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (status, calls) = run(b"ping", |inv| {
        assert_eq!(inv.payload_str(), Some("ping"));
        assert_eq!(inv.request_id(), "req-1");
        inv.respond(b"pong")?;
        Ok(())
    });
    assert_eq!((status, calls), (LAMBDA_OK, vec!["respond pong".to_string()]));

    let (status, calls) = run(b"", |_| Err(HandlerError::new("InvalidInput", "no name\0given")));
    assert_eq!((status, calls), (LAMBDA_ERROR, vec!["fail InvalidInput: no name given".to_string()]));
}

#[test]
fn a_panic_is_caught_and_answered_as_rust_panic() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (status, calls) = run(b"", |_| panic!("boom {}", 42));
    assert_eq!((status, calls), (LAMBDA_ERROR, vec!["fail Rust.Panic: the handler panicked: boom 42".to_string()]));
    let (status, calls) = run(b"", |_| std::panic::panic_any(7u8));
    assert_eq!(status, LAMBDA_ERROR);
    assert_eq!(calls, vec!["fail Rust.Panic: the handler panicked: a panic whose payload is not text".to_string()]);
}

#[test]
fn a_shorter_host_table_has_no_streaming_or_http() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // A 1.0 host's table ends after remaining_time_ms: its stream fields are not read.
    let table = host(lambda_plugin::__offset_of!(lambda_host_api, stream_begin));
    let raw = invocation(&table, b"");
    CALLS.lock().unwrap().clear();
    let invocation = unsafe { Invocation::from_raw(&raw) };
    assert_eq!(invocation.stream_begin(None), Err(Status::UNSUPPORTED));
    assert_eq!(invocation.http_request(&HttpRequest::get("http://example.com/")), Err(Status::UNSUPPORTED));
    assert!(invocation.last_error().contains("predates outbound HTTP"));
    assert_eq!(invocation.remaining_time_ms(), 0);
    assert!(CALLS.lock().unwrap().is_empty());
    // The full table has stream_begin.
    let table = host(std::mem::size_of::<lambda_host_api>());
    let raw = self::invocation(&table, b"");
    assert_eq!(unsafe { Invocation::from_raw(&raw) }.stream_begin(Some("text/plain")), Ok(()));
}
