/// The version of lambda-host. Here, in a module both the runtime (LambdaHost) and the
/// developer tools build on, so that it is written once: `lambda-host new --lang swift`
/// asks for the SDK `from:` this version, and the repository's tags follow it.
public enum LambdaHostVersion {
    /// The version string, e.g. "0.1.0".
    public static let string = "0.2.0"
}
