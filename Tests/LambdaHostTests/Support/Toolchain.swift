import Foundation

/// The Swift toolchain this package was built with.
enum Toolchain {
    /// Its `usr/bin`, from the runtime's RUNPATH (`<toolchain>/usr/lib/swift/linux`).
    static let bin: String? = {
        let dynamic = (try? runCommand("/usr/bin/env", ["readelf", "-d", BuildProducts.host]))?.stdout ?? ""
        let runpath = dynamic.split(separator: "\n").first { $0.contains("RUNPATH") }
            .flatMap { $0.split(separator: "[").last?.split(separator: "]").first }
            .map { $0.split(separator: ":").map(String.init) } ?? []
        let suffix = "/lib/swift/linux"
        return runpath.first { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) + "/bin" }
    }()

    /// `name` in the toolchain's bin/, or `name` alone (found on PATH) when it is not there.
    static func program(_ name: String) -> String {
        guard let bin, FileManager.default.isExecutableFile(atPath: bin + "/" + name) else { return name }
        return bin + "/" + name
    }
}
