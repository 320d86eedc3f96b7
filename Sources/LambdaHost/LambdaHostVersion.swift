/// The version of lambda-host.
public enum LambdaHostVersion {
    /// The version string, e.g. "0.1.0".
    public static let string = "0.1.0"
}
