/// What a Lambda base image gives every function: the shared libraries it has, and the
/// newest symbol version of each family that they define. Anything else a package
/// needs must be inside the package.
public struct BaseImage: Sendable {
    /// The runtime identifier (`provided.al2023`).
    public let name: String
    /// The libraries (by file name, as DT_NEEDED names them) the image has.
    public let libraries: Set<String>
    /// The newest version of each symbol-version family the image defines.
    public let ceilings: [String: SymbolVersion]

    /// Lambda's `provided.al2023`: Amazon Linux 2023, glibc 2.34 and GCC 11's libgcc
    /// and libstdc++. docs/deploy.md lists what is relied on, and why.
    public static let providedAL2023 = BaseImage(
        name: "provided.al2023",
        libraries: [
            // glibc 2.34: libc, the loader, and the libraries 2.34 still ships as stubs.
            "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libutil.so.1",
            "libresolv.so.2", "libanl.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1",
            // GCC 11's runtime libraries.
            "libgcc_s.so.1", "libstdc++.so.6",
        ],
        ceilings: [
            "GLIBC": SymbolVersion("GLIBC_2.34"),
            "GLIBCXX": SymbolVersion("GLIBCXX_3.4.29"),
            "CXXABI": SymbolVersion("CXXABI_1.3.13"),
            "GCC": SymbolVersion("GCC_7.0.0"),
        ]
    )

    /// Why `version`, required of one of the image's libraries, is not there; nil when it is.
    public func refusal(of version: SymbolVersion) -> String? {
        if let ceiling = ceilings[version.family] {
            return version <= ceiling ? nil : "newer than \(name)'s \(ceiling)"
        }
        if version.name.hasPrefix("GLIBC_") { return "a private glibc interface, which differs between glibc builds" }
        return nil
    }
}
