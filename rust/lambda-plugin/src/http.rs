//! Outbound HTTP through the host (ABI 1.2), and AWS requests it signs (ABI 1.3). The host
//! owns connections, pools and TLS (docs/outbound-http.md, docs/aws-calls.md).

use crate::abi::{lambda_host_api, lambda_http_header, lambda_http_request, lambda_http_response, lambda_invocation};
use crate::host::host_fn;
use crate::status::Status;
use crate::c::{c_char, CStr};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use alloc::vec;

/// What to send. Strings are copied once, with a NUL added, when the request is sent.
#[derive(Clone, Debug, Default)]
pub struct HttpRequest<'a> {
    /// "GET", "POST", ...
    pub method: &'a str,
    /// An absolute URL, or a path and query for an AWS request (`aws_service` set).
    pub url: &'a str,
    /// (name, value) pairs; the host writes Host, Content-Length and Connection itself.
    pub headers: Vec<(&'a str, &'a str)>,
    pub body: &'a [u8],
    /// How long the whole exchange may take; 0 means until the invocation's deadline.
    pub timeout_ms: i64,
    /// `abi::LAMBDA_HTTP_*` flags.
    pub flags: u32,
    /// The service's signing name ("s3", "dynamodb") for a request the host signs (ABI 1.3).
    pub aws_service: Option<&'a str>,
    /// The region; `None` means AWS_REGION.
    pub aws_region: Option<&'a str>,
}

impl<'a> HttpRequest<'a> {
    /// A GET of `url`.
    pub fn get(url: &'a str) -> Self {
        HttpRequest { method: "GET", url, ..Default::default() }
    }

    /// A POST of `body` with Content-Type `content_type` to `url`.
    pub fn post(url: &'a str, content_type: &'a str, body: &'a [u8]) -> Self {
        HttpRequest { method: "POST", url, headers: vec![("Content-Type", content_type)], body, ..Default::default() }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// What came back, copied out of the host's buffers (which the next request reuses), so
/// it may outlive the invocation. Costs one copy of the body and headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: i32,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name`, compared without case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub(crate) fn send(
    host: *const lambda_host_api,
    invocation: *const lambda_invocation,
    request: &HttpRequest<'_>,
) -> Result<HttpResponse, Status> {
    // last_error is the 1.2 table's last field: a host that has it has http_request too.
    if host_fn!(host, last_error).is_none() {
        return Err(Status::UNSUPPORTED);
    }
    let http_request = host_fn!(host, http_request).ok_or(Status::UNSUPPORTED)?;
    // A host before 1.3 ignores aws_service and would send the request unsigned.
    if request.aws_service.is_some() && unsafe { (*host).abi_minor } < 3 {
        return Err(Status::UNSUPPORTED);
    }
    let method = crate::c_text(request.method);
    let url = crate::c_text(request.url);
    let service = request.aws_service.map(crate::c_text);
    let region = request.aws_region.map(crate::c_text);
    let headers: Vec<lambda_http_header> = request
        .headers
        .iter()
        .map(|(name, value)| lambda_http_header {
            name: name.as_ptr().cast(),
            name_size: name.len(),
            value: value.as_ptr().cast(),
            value_size: value.len(),
        })
        .collect();
    let raw = lambda_http_request {
        struct_size: core::mem::size_of::<lambda_http_request>() as u32,
        flags: request.flags,
        method: method.as_ptr().cast(),
        url: url.as_ptr().cast(),
        headers: if headers.is_empty() { core::ptr::null() } else { headers.as_ptr() },
        header_count: headers.len(),
        body: if request.body.is_empty() { core::ptr::null() } else { request.body.as_ptr().cast() },
        body_size: request.body.len(),
        timeout_ms: request.timeout_ms,
        aws_service: service.as_ref().map_or(core::ptr::null(), |s| s.as_ptr().cast()),
        aws_region: region.as_ref().map_or(core::ptr::null(), |s| s.as_ptr().cast()),
    };
    let mut response = lambda_http_response {
        struct_size: core::mem::size_of::<lambda_http_response>() as u32,
        status: 0,
        headers: core::ptr::null(),
        header_count: 0,
        body: core::ptr::null(),
        body_size: 0,
    };
    Status::check(unsafe { http_request(invocation, &raw, &mut response) })?;
    Ok(unsafe { copy_response(&response) })
}

/// Copies what the host filled in; invalid UTF-8 in a header becomes U+FFFD.
unsafe fn copy_response(response: &lambda_http_response) -> HttpResponse {
    let bytes = |pointer: *const c_char, size: usize| -> &[u8] {
        if pointer.is_null() || size == 0 { &[] } else { unsafe { core::slice::from_raw_parts(pointer.cast(), size) } }
    };
    let raw_headers: &[lambda_http_header] = if response.headers.is_null() || response.header_count == 0 {
        &[]
    } else {
        unsafe { core::slice::from_raw_parts(response.headers, response.header_count) }
    };
    let headers = raw_headers
        .iter()
        .map(|h| {
            (
                String::from_utf8_lossy(bytes(h.name, h.name_size)).into_owned(),
                String::from_utf8_lossy(bytes(h.value, h.value_size)).into_owned(),
            )
        })
        .collect();
    HttpResponse { status: response.status, headers, body: bytes(response.body, response.body_size).to_vec() }
}

pub(crate) fn last_error(host: *const lambda_host_api, invocation: *const lambda_invocation) -> String {
    let last_error = match host_fn!(host, last_error) {
        Some(last_error) => last_error,
        None => return "this lambda-host layer predates outbound HTTP (ABI 1.2); update it".to_string(),
    };
    let text = unsafe { last_error(invocation) };
    if text.is_null() { String::new() } else { unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned() }
}

