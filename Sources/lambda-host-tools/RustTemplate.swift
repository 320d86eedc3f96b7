/// `lambda-host new --lang rust`: a `cdylib` on the lambda-plugin crate, without std, with
/// the release profile docs/languages.md recommends, and the crate itself in
/// `vendor/lambda-plugin` so that `cargo build --release --offline` works anywhere.
enum RustTemplate {
    static func files(name: String) -> [FunctionTemplate.File] {
        [.init("Cargo.toml", manifest(name: name)), .init("src/lib.rs", source(name: name))]
            + RustCrate.files.map { .init(RustCrate.folder + "/" + $0.path, bytes: $0.bytes) }
    }

    static func manifest(name: String) -> String {
        ##"""
        [package]
        name = "\##(name)"
        version = "1.0.0"
        edition = "2021"
        publish = false

        # lib\##(name).so: a shared object lambda-host loads with dlopen (Handler: lib\##(name).so).
        [lib]
        crate-type = ["cdylib"]

        [dependencies]
        # The lambda-plugin crate, written beside the function by `lambda-host new` (there is
        # no registry to fetch it from). Without std: a plugin of about 20 KB, Rust 1.81 or
        # later. With std (about 270 KB; a panic is caught and the process goes on serving):
        # drop `default-features = false`, set panic = "unwind" below and drop #![no_std]
        # from src/lib.rs.
        lambda-plugin = { path = "\##(RustCrate.folder)", default-features = false }

        # The settings docs/languages.md recommends for a small plugin.
        [profile.release]
        opt-level = "z"     # size over speed
        lto = true          # drops what the plugin does not reach
        codegen-units = 1   # one unit, so LTO sees everything
        strip = true        # no symbol table beyond the exported symbols
        panic = "abort"     # a panic answers Rust.Panic, then the process ends

        [profile.dev]
        panic = "abort"

        # Its own workspace, so that it builds alone wherever the folder is.
        [workspace]

        """##
    }

    static func source(name: String) -> String {
        ##"""
        //! \##(name): a Lambda function in Rust, a plugin for lambda-host on the lambda-plugin
        //! crate. It answers {"name":"Ada"} with {"message":"Hello, Ada!"} and any other event
        //! with {"message":"Hello from \##(name)!"}. An `Err` from the handler answers the
        //! invocation with its error type; a panic answers Rust.Panic, then the process ends.
        //!
        //!     lambda-host build .     (or: cargo build --release --offline)

        #![no_std]

        extern crate alloc;

        use alloc::vec::Vec;
        use lambda_plugin::{lambda_plugin, HandlerError, Invocation};

        /// The text of the first string member "name" of the event, its escapes kept as they
        /// are (so it goes back into a JSON string unchanged). Enough JSON for a greeting; a
        /// real event deserves a JSON parser.
        fn name_in(event: &[u8]) -> Option<&[u8]> {
            let key = br#""name""#;
            let space = |at: usize| matches!(event.get(at), Some(b' ' | b'\t' | b'\r' | b'\n'));
            let mut from = 0;
            while let Some(found) = event[from..].windows(key.len()).position(|window| window == key) {
                let mut at = from + found + key.len();
                from += found + 1;
                while space(at) {
                    at += 1;
                }
                if event.get(at) != Some(&b':') {
                    continue;
                }
                at += 1;
                while space(at) {
                    at += 1;
                }
                if event.get(at) != Some(&b'"') {
                    return None;
                }
                let start = at + 1;
                let mut end = start;
                while let Some(&byte) = event.get(end) {
                    match byte {
                        b'\\' => end += 2,
                        b'"' => return Some(&event[start..end]),
                        _ => end += 1,
                    }
                }
                return None;
            }
            None
        }

        fn greet(invocation: &Invocation) -> Result<(), HandlerError> {
            let mut answer = Vec::new();
            match name_in(invocation.payload()) {
                Some(name) if !name.is_empty() => {
                    answer.extend_from_slice(br#"{"message":"Hello, "#);
                    answer.extend_from_slice(name);
                }
                _ => answer.extend_from_slice(br#"{"message":"Hello from \##(name)"#),
            }
            answer.extend_from_slice(br#"!"}"#);
            invocation.respond(&answer)?;
            Ok(())
        }

        // The handler keeps no state, so the host may run it on several threads at once.
        lambda_plugin!(name: "\##(name)", version: "1.0.0", flags: lambda_plugin::THREAD_SAFE, handler: greet);

        """##
    }
}
