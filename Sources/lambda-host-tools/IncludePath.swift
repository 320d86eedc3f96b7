import ArgumentParser
import Glibc
import LambdaPackaging

/// `lambda-host include-path`: the folder to give a compiler's `-I`, from any folder.
///
/// The headers are the ones embedded in these tools when they were built, so they always
/// match the host next to them. They are written (only when missing or different, through
/// a rename) to `$XDG_CACHE_HOME/lambda-host/include`, or `~/.cache/lambda-host/include`.
struct IncludePath: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "include-path",
        abstract: "Print the folder that holds lambda_plugin.h and lambda_plugin.hpp, for a compiler's -I.",
        discussion: """
            The headers are the ones these tools were built with, written to \
            $XDG_CACHE_HOME/lambda-host/include (default ~/.cache/lambda-host/include) when missing or \
            different. The Lambda layer carries the same files in include/. Example:

              cc -shared -fPIC -O2 -I "$(lambda-host include-path)" -o libecho.so echo.c
            """
    )

    func run() throws {
        print(try Self.write())
    }

    /// Writes the headers to the cache folder where missing or different; returns the folder.
    static func write() throws -> String {
        let folder = try Self.folder()
        for header in LayerBuilder.headers {
            let path = folder + "/" + header.name
            if (try? FileSystem.read(path)) == header.bytes { continue }
            do {
                try FileSystem.write(header.bytes, to: path)
            } catch {
                throw ValidationError("cannot write \(path): \(error)")
            }
        }
        return folder
    }

    /// The cache folder, made if missing.
    static func folder() throws -> String {
        let cache: String
        if let xdg = getenv("XDG_CACHE_HOME").map({ String(cString: $0) }), xdg.hasPrefix("/") {
            cache = xdg
        } else if let home = getenv("HOME").map({ String(cString: $0) }), home.hasPrefix("/") {
            cache = home + "/.cache"
        } else {
            throw ValidationError("neither XDG_CACHE_HOME nor HOME is an absolute folder: set one to say where the headers go")
        }
        var folder = ""
        for part in (cache + "/lambda-host/include").split(separator: "/") {
            folder += "/" + part
            if mkdir(folder, 0o755) != 0 && errno != EEXIST {
                throw ValidationError("cannot make \(folder): \(String(cString: strerror(errno)))")
            }
        }
        return folder
    }
}
