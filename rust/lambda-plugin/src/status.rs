//! The two error types of the API: a host service's refusal (`Status`), and the error a
//! handler answers with (`HandlerError`).

use crate::abi;
use alloc::string::{String, ToString};
use core::fmt;

/// A status code a host service returned other than `LAMBDA_OK` (or that this crate
/// returns itself, `UNSUPPORTED`, when the host predates the function called).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status(pub i32);

impl Status {
    pub const ALREADY_ANSWERED: Status = Status(abi::LAMBDA_E_ALREADY_ANSWERED);
    pub const TOO_LARGE: Status = Status(abi::LAMBDA_E_TOO_LARGE);
    pub const INVALID: Status = Status(abi::LAMBDA_E_INVALID);
    pub const IO: Status = Status(abi::LAMBDA_E_IO);
    pub const UNSUPPORTED: Status = Status(abi::LAMBDA_E_UNSUPPORTED);
    pub const HTTP_NOT_SENT: Status = Status(abi::LAMBDA_E_HTTP_NOT_SENT);
    pub const HTTP_FAILED: Status = Status(abi::LAMBDA_E_HTTP_FAILED);

    /// `Ok` for `LAMBDA_OK`, the status otherwise.
    pub fn check(code: abi::lambda_status) -> Result<(), Status> {
        if code == abi::LAMBDA_OK { Ok(()) } else { Err(Status(code)) }
    }

    /// What the code means, as the header documents it.
    pub fn meaning(self) -> &'static str {
        match self.0 {
            abi::LAMBDA_E_ALREADY_ANSWERED => "the invocation was already answered",
            abi::LAMBDA_E_TOO_LARGE => "the response is over Lambda's 6 MiB limit; the host answered with an error instead",
            abi::LAMBDA_E_INVALID => "an invalid argument, or a call made outside the invocation it belongs to",
            abi::LAMBDA_E_IO => "the Runtime API could not be reached; the host exits after the handler returns",
            abi::LAMBDA_E_UNSUPPORTED => "this lambda-host is older than the function called; update the layer",
            abi::LAMBDA_E_HTTP_NOT_SENT => "the request was not sent (last_error tells why); it is safe to send it again",
            abi::LAMBDA_E_HTTP_FAILED => "the request was sent and the exchange then failed (last_error tells why)",
            _ => "an unknown status",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "status {}: {}", self.0, self.meaning())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Status {}

/// The error a handler or init hook answers with: `error_type` becomes Lambda's
/// `errorType` (e.g. "InvalidInput"), `message` its `errorMessage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerError {
    pub error_type: String,
    pub message: String,
}

impl HandlerError {
    pub fn new(error_type: impl Into<String>, message: impl Into<String>) -> Self {
        HandlerError { error_type: error_type.into(), message: message.into() }
    }
}

/// A host service's refusal passed up with `?`, typed `Rust.HostStatus`.
impl From<Status> for HandlerError {
    fn from(status: Status) -> Self {
        HandlerError::new("Rust.HostStatus", status.to_string())
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type, self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for HandlerError {}
