//! hello: a Rust plugin on the lambda-plugin crate. It reads {"name": "World"} and
//! answers {"message":"Hello, World!"} ("World" when there is no name); an empty name is
//! answered with the error type "Hello.EmptyName"; {"panic": "why"} panics on purpose, to
//! show a panic answered as a Rust.Panic error.
//!
//!     cargo build --release        # target/release/libhello.so, no_std
//!     cargo test --features std    # the JSON reader's tests need std's test harness
//!     lambda-host invoke --handler target/release/libhello.so --event '{"name":"World"}'

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::string::{String, ToString};
use lambda_plugin::{lambda_plugin, HandlerError, Invocation};

mod json;

fn greet(invocation: &Invocation) -> Result<(), HandlerError> {
    let event = invocation.payload();
    if let Some(reason) = json::string_field(event, "panic") {
        panic!("asked to panic: {reason}");
    }
    let name = json::string_field(event, "name").unwrap_or_else(|| "World".to_string());
    if name.is_empty() {
        return Err(HandlerError::new("Hello.EmptyName", "the event's \"name\" is empty; send {\"name\": \"World\"}"));
    }
    let mut answer = String::from(r#"{"message":"Hello, "#);
    json::push_escaped(&mut answer, &name);
    answer.push_str(r#"!"}"#);
    invocation.respond(answer.as_bytes())?;
    Ok(())
}

lambda_plugin!(name: "hello", version: "1.0.0", flags: lambda_plugin::THREAD_SAFE, handler: greet);
