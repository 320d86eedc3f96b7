#include "rust_crate.h"

/* C23's #embed; clang accepts it in earlier modes as an extension. When the crate gains
 * or loses a file, this list follows (ScaffoldTests compares the copy with the folder). */
#pragma clang diagnostic ignored "-Wc23-extensions"

static const char file0[] = {
#embed "../../rust/lambda-plugin/Cargo.toml"
};

static const char file1[] = {
#embed "../../rust/lambda-plugin/src/abi.rs"
};

static const char file2[] = {
#embed "../../rust/lambda-plugin/src/boundary.rs"
};

static const char file3[] = {
#embed "../../rust/lambda-plugin/src/host.rs"
};

static const char file4[] = {
#embed "../../rust/lambda-plugin/src/http.rs"
};

static const char file5[] = {
#embed "../../rust/lambda-plugin/src/invocation.rs"
};

static const char file6[] = {
#embed "../../rust/lambda-plugin/src/lib.rs"
};

static const char file7[] = {
#embed "../../rust/lambda-plugin/src/nostd.rs"
};

static const char file8[] = {
#embed "../../rust/lambda-plugin/src/status.rs"
};

static const struct {
    const char *path;
    const char *bytes;
    size_t length;
} files[] = {
    {"Cargo.toml", file0, sizeof file0},
    {"src/abi.rs", file1, sizeof file1},
    {"src/boundary.rs", file2, sizeof file2},
    {"src/host.rs", file3, sizeof file3},
    {"src/http.rs", file4, sizeof file4},
    {"src/invocation.rs", file5, sizeof file5},
    {"src/lib.rs", file6, sizeof file6},
    {"src/nostd.rs", file7, sizeof file7},
    {"src/status.rs", file8, sizeof file8},
};

const char *lh_rust_crate_file(size_t index, const char **path, size_t *length) {
    if (index >= sizeof files / sizeof files[0]) return NULL;
    *path = files[index].path;
    *length = files[index].length;
    return files[index].bytes;
}
