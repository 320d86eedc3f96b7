import CLambdaRustCrate

/// The Rust crate rust/lambda-plugin, as embedded in these tools when they were built
/// (CLambdaRustCrate): what `lambda-host new --lang rust` writes into the new function's
/// `vendor/lambda-plugin`, since there is no crates registry to fetch it from.
enum RustCrate {
    /// Where the template puts the crate, relative to the function's folder.
    static let folder = "vendor/lambda-plugin"

    /// The crate's files: their path in the crate (`Cargo.toml`, `src/lib.rs`) and bytes.
    static let files: [(path: String, bytes: [UInt8])] = {
        var files: [(path: String, bytes: [UInt8])] = []
        var index = 0
        while true {
            var path: UnsafePointer<CChar>?
            var length = 0
            guard let start = lh_rust_crate_file(index, &path, &length), let path else { return files }
            files.append((String(cString: path), Array(UnsafeRawBufferPointer(start: start, count: length))))
            index += 1
        }
    }()
}
