//! The Rust types against the C header: a C program compiled with the machine's `cc`
//! against `Sources/CLambdaPlugin/include/lambda_plugin.h` prints every struct's size and
//! every field's offset, and each must equal Rust's. The same list of fields drives both
//! sides, so a field missing from the Rust types fails to compile here.

use lambda_plugin::abi::*;
use lambda_plugin::__offset_of as offset_of;
use std::mem::size_of;
use std::path::PathBuf;
use std::process::Command;

/// (C expression, Rust value) for every size and offset of the ABI.
macro_rules! layout {
    ($($type:ident { $($field:ident),* })*) => {
        vec![$(
            (format!("sizeof({})", stringify!($type)), size_of::<$type>()),
            $((format!("offsetof({}, {})", stringify!($type), stringify!($field)), offset_of!($type, $field)),)*
        )*]
    };
}

fn rust_layout() -> Vec<(String, usize)> {
    layout! {
        lambda_plugin_descriptor { magic, abi_major, abi_minor, struct_size, flags, name, version, swift_toolchain, init, shutdown, handler }
        lambda_invocation { struct_size, reserved, host, state, payload, payload_size, request_id, deadline_ms,
            invoked_function_arn, trace_id, client_context, cognito_identity, tenant_id, host_private }
        lambda_http_header { name, name_size, value, value_size }
        lambda_http_request { struct_size, flags, method, url, headers, header_count, body, body_size, timeout_ms,
            aws_service, aws_region }
        lambda_http_response { struct_size, status, headers, header_count, body, body_size }
        lambda_host_api { struct_size, abi_major, abi_minor, respond, fail, log, remaining_time_ms, stream_begin,
            stream_write, stream_end, http_request, http_prewarm, last_error }
    }
}

/// The constants, as (C name, Rust value).
fn rust_constants() -> Vec<(&'static str, i64)> {
    vec![
        ("LAMBDA_PLUGIN_MAGIC", LAMBDA_PLUGIN_MAGIC as i64),
        ("LAMBDA_PLUGIN_ABI_MAJOR", LAMBDA_PLUGIN_ABI_MAJOR as i64),
        ("LAMBDA_PLUGIN_ABI_MINOR", LAMBDA_PLUGIN_ABI_MINOR as i64),
        ("LAMBDA_PLUGIN_REQUIRED_MINOR", LAMBDA_PLUGIN_REQUIRED_MINOR as i64),
        ("LAMBDA_PLUGIN_DESCRIPTOR_SIZE_1_0", LAMBDA_PLUGIN_DESCRIPTOR_SIZE_1_0 as i64),
        ("LAMBDA_OK", LAMBDA_OK as i64),
        ("LAMBDA_ERROR", LAMBDA_ERROR as i64),
        ("LAMBDA_E_ALREADY_ANSWERED", LAMBDA_E_ALREADY_ANSWERED as i64),
        ("LAMBDA_E_TOO_LARGE", LAMBDA_E_TOO_LARGE as i64),
        ("LAMBDA_E_INVALID", LAMBDA_E_INVALID as i64),
        ("LAMBDA_E_IO", LAMBDA_E_IO as i64),
        ("LAMBDA_E_UNSUPPORTED", LAMBDA_E_UNSUPPORTED as i64),
        ("LAMBDA_E_HTTP_NOT_SENT", LAMBDA_E_HTTP_NOT_SENT as i64),
        ("LAMBDA_E_HTTP_FAILED", LAMBDA_E_HTTP_FAILED as i64),
        ("LAMBDA_LOG_TRACE", LAMBDA_LOG_TRACE as i64),
        ("LAMBDA_LOG_FATAL", LAMBDA_LOG_FATAL as i64),
        ("LAMBDA_PLUGIN_THREAD_SAFE", LAMBDA_PLUGIN_THREAD_SAFE as i64),
        ("LAMBDA_HTTP_NO_TRACE_HEADER", LAMBDA_HTTP_NO_TRACE_HEADER as i64),
        ("LAMBDA_HTTP_S3_PATH_STYLE", LAMBDA_HTTP_S3_PATH_STYLE as i64),
    ]
}

#[test]
fn every_size_offset_and_constant_matches_the_c_header() {
    let include = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../Sources/CLambdaPlugin/include");
    assert!(include.join("lambda_plugin.h").is_file(), "no header at {}", include.display());
    let layout = rust_layout();
    let constants = rust_constants();
    let mut program = String::from("#include <stdio.h>\n#include <lambda_plugin.h>\nint main(void) {\n");
    for (expression, _) in &layout {
        program += &format!("    printf(\"%zu\\n\", (size_t){expression});\n");
    }
    for (name, _) in &constants {
        program += &format!("    printf(\"%lld\\n\", (long long){name});\n");
    }
    program += "    return 0;\n}\n";

    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layout");
    std::fs::create_dir_all(&folder).unwrap();
    let (source, binary) = (folder.join("layout.c"), folder.join("layout"));
    std::fs::write(&source, program).unwrap();
    let compiled = Command::new("cc")
        .arg("-I").arg(&include).arg("-o").arg(&binary).arg(&source)
        .output()
        .expect("cc: a C compiler is needed to check the layout against the header");
    assert!(compiled.status.success(), "cc failed:\n{}", String::from_utf8_lossy(&compiled.stderr));
    let run = Command::new(&binary).output().unwrap();
    let printed = String::from_utf8(run.stdout).unwrap();
    let mut values = printed.lines();

    for (expression, rust) in &layout {
        let c: usize = values.next().unwrap().parse().unwrap();
        assert_eq!(c, *rust, "{expression}: C says {c}, Rust says {rust}");
    }
    for (name, rust) in &constants {
        let c: i64 = values.next().unwrap().parse().unwrap();
        assert_eq!(c, *rust, "{name}: C says {c}, Rust says {rust}");
    }
    assert!(values.next().is_none());
}

/// The numbers of the header's own `_Static_assert`s (Sources/CLambdaPlugin/lambda_plugin.c),
/// which hold even where no C compiler is.
#[test]
fn the_header_static_asserts_hold() {
    assert_eq!(size_of::<*const u8>(), 8, "lambda-host supports 64-bit targets only (x86_64, arm64)");
    let expected = [
        ("offsetof(lambda_plugin_descriptor, struct_size)", 8),
        ("offsetof(lambda_plugin_descriptor, name)", 16),
        ("offsetof(lambda_plugin_descriptor, shutdown)", 48),
        ("offsetof(lambda_plugin_descriptor, handler)", 56),
        ("sizeof(lambda_plugin_descriptor)", 64),
        ("offsetof(lambda_invocation, host)", 8),
        ("offsetof(lambda_invocation, payload)", 24),
        ("offsetof(lambda_invocation, host_private)", 96),
        ("sizeof(lambda_invocation)", 104),
        ("offsetof(lambda_host_api, respond)", 8),
        ("offsetof(lambda_host_api, remaining_time_ms)", 32),
        ("offsetof(lambda_host_api, stream_begin)", 40),
        ("offsetof(lambda_host_api, http_request)", 64),
        ("sizeof(lambda_host_api)", 88),
        ("sizeof(lambda_http_header)", 32),
        ("offsetof(lambda_http_request, url)", 16),
        ("sizeof(lambda_http_request)", 80),
        ("offsetof(lambda_http_request, aws_service)", 64),
        ("sizeof(lambda_http_response)", 40),
    ];
    let layout = rust_layout();
    for (expression, value) in expected {
        let rust = layout.iter().find(|(e, _)| e == expression).map(|(_, v)| *v);
        assert_eq!(rust, Some(value), "{expression}");
    }
}
