//! Handler plugins for lambda-host in Rust, with no dependencies: std alone, or (without
//! the default `std` feature) core and alloc alone.
//!
//! ```ignore
//! use lambda_plugin::{lambda_plugin, HandlerError, Invocation};
//!
//! fn greet(invocation: &Invocation) -> Result<(), HandlerError> {
//!     invocation.respond(br#"{"message":"Hello"}"#)?;
//!     Ok(())
//! }
//!
//! lambda_plugin!(name: "hello", version: "1.0.0", handler: greet);
//! ```
//!
//! Build it as a `cdylib` (`crate-type = ["cdylib"]`): `cargo build --release` gives
//! `target/release/libhello.so`, which `_HANDLER=libhello.so` names. docs/languages.md has
//! the recommended profile and the sizes it gives.
//!
//! # Errors and panics
//!
//! A handler returns `Result<(), HandlerError>`: `Err` answers the invocation with that
//! error type and message (unless it was already answered). No panic reaches the host:
//!
//! - With `std` (needs `panic = "unwind"`, Cargo's default), the boundary catches it with
//!   `catch_unwind` and answers an error of type `Rust.Panic` whose message is "the handler
//!   panicked: " and the panic's text; the default panic hook also writes its line, with the
//!   source location, to stderr (the function's log). The plugin goes on serving.
//! - Without `std` (the plugin crate is `#![no_std]`, `panic = "abort"`), nothing can be
//!   caught: this crate's panic handler answers the running invocation with `Rust.Panic`,
//!   the text and the location, logs it, and aborts; the host's crash guard finds the
//!   invocation answered, the process ends with SIGABRT, and Lambda starts a new one.
//! - With `std` and `panic = "abort"`, a panic aborts before the boundary sees it: the
//!   host's crash guard reports SIGABRT as the invocation's `Runtime.Crash` error.
//!
//! A panic in the init hook becomes the init error, typed `Rust.Panic`.
//!
//! # Threads
//!
//! `flags: lambda_plugin::THREAD_SAFE` declares that the handler, and all it touches, may
//! run on several threads at once: with `AWS_LAMBDA_MAX_CONCURRENCY` > 1 the host then runs
//! one INIT and that many threads (docs/concurrency.md); without it, that many processes.

#![cfg_attr(not(feature = "std"), no_std)]
// The unsafe blocks inside unsafe fns are what Rust 2024 requires (unsafe_op_in_unsafe_fn);
// Rust 1.63 calls them unnecessary.
#![allow(unused_unsafe)]

extern crate alloc;

pub mod abi;
pub mod boundary;
mod host;
mod http;
mod invocation;
#[cfg(not(feature = "std"))]
mod nostd;
mod status;

pub use host::Host;
pub use http::{HttpRequest, HttpResponse};
pub use invocation::Invocation;
pub use status::{HandlerError, Status};

/// Descriptor flag: the handler may run on several threads at once.
pub const THREAD_SAFE: u32 = abi::LAMBDA_PLUGIN_THREAD_SAFE;

/// Log levels; lines below AWS_LAMBDA_LOG_LEVEL are dropped by the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Level {
    Trace = abi::LAMBDA_LOG_TRACE,
    Debug = abi::LAMBDA_LOG_DEBUG,
    Info = abi::LAMBDA_LOG_INFO,
    Warn = abi::LAMBDA_LOG_WARN,
    Error = abi::LAMBDA_LOG_ERROR,
    Fatal = abi::LAMBDA_LOG_FATAL,
}

/// `text` NUL-terminated for the host, each NUL inside it replaced by a space (a C string
/// would end there).
pub(crate) fn c_text(text: &str) -> alloc::vec::Vec<u8> {
    let mut bytes = alloc::vec::Vec::with_capacity(text.len() + 1);
    bytes.extend(text.bytes().map(|b| if b == 0 { b' ' } else { b }));
    bytes.push(0);
    bytes
}

/// The offset of `$field` in `$type`, as C's offsetof (core's `offset_of!` needs Rust 1.77;
/// this crate builds with 1.63, Debian 12's).
#[doc(hidden)]
#[macro_export]
macro_rules! __offset_of {
    ($type:ty, $field:ident) => {{
        let base = ::core::mem::MaybeUninit::<$type>::uninit();
        let pointer = base.as_ptr();
        #[allow(unused_unsafe)]
        let field = unsafe { ::core::ptr::addr_of!((*pointer).$field) };
        (field as usize) - (pointer as usize)
    }};
}

/// C's types, from std where it is (Rust 1.63 has them there only) and from core without it.
pub(crate) mod c {
    #[cfg(not(feature = "std"))]
    pub use core::ffi::{c_char, CStr};
    #[cfg(feature = "std")]
    pub use std::{ffi::CStr, os::raw::c_char};
}

/// Exports a handler function under the symbol `$symbol` (what `_HANDLER=libx.so:$symbol`
/// names): `lambda_handler!(goodbye, say_goodbye);`. The function is
/// `fn(&Invocation) -> Result<(), HandlerError>`; panics are caught (see the crate's docs).
#[macro_export]
macro_rules! lambda_handler {
    ($symbol:ident, $handler:path) => {
        #[no_mangle]
        #[allow(unused_unsafe)]
        pub unsafe extern "C" fn $symbol(
            invocation: *const $crate::abi::lambda_invocation,
        ) -> $crate::abi::lambda_status {
            unsafe { $crate::boundary::run_handler(invocation, $handler) }
        }
    };
}

/// Exports the plugin's entry point `lambda_plugin_v1` (its descriptor) and its default
/// handler symbol `handler`. Fields in this order; `flags`, `init` and `shutdown` may be
/// left out:
///
/// ```ignore
/// lambda_plugin!(
///     name: "hello", version: "1.0.0",
///     flags: lambda_plugin::THREAD_SAFE,
///     init: setup,        // fn(&Host) -> Result<(), HandlerError>; keep state in a OnceLock
///     shutdown: teardown, // fn()
///     handler: greet,     // fn(&Invocation) -> Result<(), HandlerError>
/// );
/// ```
///
/// Do not name the handler function `handler`: that is the exported symbol's name.
#[macro_export]
macro_rules! lambda_plugin {
    (
        name: $name:literal, version: $version:literal
        $(, flags: $flags:expr)?
        $(, init: $init:path)?
        $(, shutdown: $shutdown:path)?
        , handler: $handler:path $(,)?
    ) => {
        #[no_mangle]
        pub extern "C" fn lambda_plugin_v1() -> *const $crate::abi::lambda_plugin_descriptor {
            static DESCRIPTOR: $crate::abi::lambda_plugin_descriptor = $crate::abi::lambda_plugin_descriptor {
                magic: $crate::abi::LAMBDA_PLUGIN_MAGIC,
                abi_major: $crate::abi::LAMBDA_PLUGIN_ABI_MAJOR,
                abi_minor: $crate::abi::LAMBDA_PLUGIN_REQUIRED_MINOR,
                struct_size: $crate::abi::LAMBDA_PLUGIN_DESCRIPTOR_SIZE_1_0,
                flags: 0 $(| $flags)?,
                name: concat!($name, "\0").as_ptr().cast(),
                version: concat!($version, "\0").as_ptr().cast(),
                swift_toolchain: ::core::ptr::null(),
                init: $crate::__init_hook!($($init)?),
                shutdown: $crate::__shutdown_hook!($($shutdown)?),
                handler: None,
            };
            &DESCRIPTOR
        }
        $crate::lambda_handler!(handler, $handler);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __init_hook {
    () => {
        None
    };
    ($init:path) => {{
        #[allow(unused_unsafe)]
        unsafe extern "C" fn init_hook(
            host: *const $crate::abi::lambda_host_api,
            state: *mut *mut ::core::ffi::c_void,
        ) -> $crate::abi::lambda_status {
            unsafe { $crate::boundary::run_init(host, state, $init) }
        }
        Some(init_hook as $crate::abi::lambda_init_fn)
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __shutdown_hook {
    () => {
        None
    };
    ($shutdown:path) => {{
        unsafe extern "C" fn shutdown_hook(_state: *mut ::core::ffi::c_void) {
            $crate::boundary::run_shutdown($shutdown)
        }
        Some(shutdown_hook as $crate::abi::lambda_shutdown_fn)
    }};
}
