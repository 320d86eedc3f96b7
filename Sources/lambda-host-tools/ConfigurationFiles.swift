import LambdaEmulator
import Synchronization

/// The files a command's configuration names (`--env-file`, `--config`), each read once a
/// run.
///
/// ArgumentParser checks the flags in `validate()` and the command reads them again in
/// `run()` (and `serve` at each start of a runtime): a pipe (`--env-file <(…)`) can be read
/// only once, and a file edited in between would give the check and the run different
/// contents. Costs one read of each file and keeps its bytes for the run.
enum ConfigurationFiles {
    private static let read = Mutex<[String: Result<[UInt8], ConfigurationError>]>([:])

    /// The bytes of the file at `path`, as first read in this run.
    static func contents(_ path: String) throws(ConfigurationError) -> [UInt8] {
        try read.withLock { known in
            if let earlier = known[path] { return earlier }
            let now = Result { () throws(ConfigurationError) in try EnvironmentFile.readFile(path) }
            known[path] = now
            return now
        }.get()
    }

    /// The variables of the env file at `path`.
    static func variables(_ path: String) throws(ConfigurationError) -> [(name: String, value: String)] {
        try EnvironmentFile.parse(try contents(path), origin: path)
    }

    /// The functions of the config file at `path`.
    static func functions(_ path: String) throws(ConfigurationError) -> [FunctionConfiguration] {
        try FunctionConfiguration.load(path: path, contents: try contents(path))
    }
}
