/*
 * CLambdaRustCrate: the files of the Rust crate rust/lambda-plugin (its Cargo.toml and
 * src/), embedded in the developer tools when they are built, so that `lambda-host new
 * --lang rust` can put the crate beside a new function: there is no crates registry to
 * fetch it from, and the tools may have been copied alone.
 */
#ifndef CLAMBDA_RUST_CRATE_H
#define CLAMBDA_RUST_CRATE_H

#include <stddef.h>

/* The crate's file number `index` (0 up): returns its bytes (not NUL-terminated), stores
 * their count in *length and its path in the crate (NUL-terminated, "src/lib.rs") in
 * *path. Returns NULL past the last file. */
const char *lh_rust_crate_file(size_t index, const char **path, size_t *length);

#endif
