import CLambdaPlugin

/// The function's environment variables (its configuration, `AWS_REGION`, ...), read
/// without Foundation:
///
/// ```swift
/// guard let bucket = LambdaEnvironment["NOTES_BUCKET"] else { ... }
/// ```
///
/// Cost: one `getenv` and a String copy of the value per read.
public enum LambdaEnvironment {
    /// The value of the variable `name`, or nil when it is not set.
    public static subscript(name: String) -> String? {
        lambda_plugin_environment(name).map { String(cString: $0) }
    }
}
