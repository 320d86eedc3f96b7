import Foundation
import Glibc

/// The packaging audit's fixture of a library that would not load on provided.al2023
/// (Plugins/Fixtures/NotForLambda), compiled at test time: it needs arc4random at
/// GLIBC_2.36 and libz.so.1.
enum NotForLambdaFixture {
    /// This machine's glibc version ("2.36"), from confstr ("glibc 2.36").
    static let glibcVersion: String = {
        var buffer = [CChar](repeating: 0, count: 64)
        guard confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count) > 0 else { return "unknown" }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: " ").last.map(String.init) ?? "unknown"
    }()

    /// Whether linking against this machine's glibc gives a GLIBC_2.36 need (glibc 2.36
    /// or newer); on an older one only the stub libc can.
    static var systemGlibcHasArc4random: Bool {
        let parts = glibcVersion.split(separator: ".").compactMap { Int($0) }
        return parts.count >= 2 && (parts[0], parts[1]) >= (2, 36)
    }

    /// Builds `folder/libNotForLambda.so`: against this machine's libc, or (`stub`)
    /// against a stub libc.so.6 that defines arc4random@GLIBC_2.36.
    static func build(in folder: String, stub: Bool) throws -> String {
        let source = FixtureCompiler.source("NotForLambda/not_for_lambda.c")
        let output = folder + "/libNotForLambda.so"
        guard stub else { return try FixtureCompiler.library(output, from: [source], flags: ["-lz"]) }
        let libc = folder + "/stub/libc.so.6"
        try FileManager.default.createDirectory(atPath: folder + "/stub", withIntermediateDirectories: true)
        try FixtureCompiler.library(
            libc, from: [FixtureCompiler.source("NotForLambda/stub_libc.c")],
            flags: ["-nostdlib", "-Wl,-soname,libc.so.6", "-Wl,--version-script," + FixtureCompiler.source("NotForLambda/stub_libc.map")])
        return try FixtureCompiler.library(output, from: [source, libc], flags: ["-nostdlib", "-lz"])
    }
}
