import LambdaDynamicCall
import LambdaPluginLoader

/// A plain C function run as the handler, from the signature in `_HANDLER`
/// (`libm.so.6:cbrt(f64)->f64`): the library is opened and the call prepared once at
/// INIT; each invocation's event becomes the arguments, the result becomes
/// `{"result": ...}`.
final class DynamicHandler {
    let library: SharedLibrary
    let function: UnsafeRawPointer
    /// Not thread-safe (its argument buffers are reused): each worker thread gets its own
    /// (``forAnotherWorker()``).
    let call: CallInterface
    /// The library declares the function safe to call from several threads at once: it
    /// exports a symbol `lambda_thread_safe_<function>` (docs/dynamic-handlers.md).
    let threadSafe: Bool

    /// Where a signature was written, for error messages.
    struct Source {
        /// The signature.
        var text: String
        /// Its offset in `where`, when that is `_HANDLER`.
        var offset: Int
        /// "_HANDLER '…'", or the string or manifest that declared it.
        var origin: String
    }

    /// Parses the signature, opens the library and prepares the call.
    ///
    /// A bare library name found in neither the task root nor the layer is left to the
    /// system loader, so that system libraries (`libm.so.6`) serve as they are.
    ///
    /// - Throws: ``PluginLoadError`` naming the position of a fault.
    init(spec: HandlerSpec, signature: Source, locator: PluginLocator) throws(PluginLoadError) {
        if let why = FFILibrary.load() {
            throw PluginLoadError(
                .loadFailed,
                "libffi, which calls a plain C function from its signature, cannot be loaded (\(why)); the lambda-host layer carries it as lib/libffi.so.8: deploy the whole layer")
        }
        let parsed: Signature
        do {
            parsed = try Signature(parsing: signature.text)
        } catch {
            throw PluginLoadError(
                .malformedHandler,
                "\(error.reason) at position \(signature.offset + error.position) of \(signature.origin) "
                    + "(the signature is symbol(name:type,...)->type; see docs/dynamic-handlers.md)")
        }
        let path: String
        do {
            path = try locator.locate(spec)
        } catch let error where error.code == .pluginNotFound && !spec.candidates[0].contains("/") {
            path = spec.candidates[0]
        }
        library = try SharedLibrary(path: path)
        guard let symbol = try library.function(parsed.symbol, as: "the handler", code: .handlerNotFound) else {
            throw PluginLoadError(
                .handlerNotFound,
                "\(path) does not export '\(parsed.symbol)' (position \(signature.offset) of \(signature.origin))")
        }
        function = UnsafeRawPointer(symbol)
        threadSafe = library.symbol("lambda_thread_safe_" + parsed.symbol) != nil
        do {
            call = try CallInterface(parsed)
        } catch {
            throw PluginLoadError(.loadFailed, error.message)
        }
    }

    private init(library: SharedLibrary, function: UnsafeRawPointer, call: CallInterface, threadSafe: Bool) {
        self.library = library
        self.function = function
        self.call = call
        self.threadSafe = threadSafe
    }

    /// The same function with a call interface of its own, for another worker thread.
    func forAnotherWorker() throws(PluginLoadError) -> DynamicHandler {
        do {
            return DynamicHandler(
                library: library, function: function, call: try CallInterface(call.signature), threadSafe: threadSafe)
        } catch {
            throw PluginLoadError(.loadFailed, error.message)
        }
    }

    /// The signature a library declares for `spec.symbol`, when the library is not a
    /// plugin (it exports no `lambda_plugin_v1`): the string `lambda_signature_<symbol>`
    /// it exports, or the line for the symbol in `<library>.signatures` beside it. This is
    /// how a signature longer than Lambda's Handler field is given. Nil for a plugin.
    static func declaredSignature(spec: HandlerSpec, locator: PluginLocator) throws(PluginLoadError) -> Source? {
        let path = try locator.locate(spec)
        let library = try SharedLibrary(path: path)
        guard library.symbol(EntryPoint.symbol) == nil else { return nil }
        let exported = "lambda_signature_" + spec.symbol
        if let string = library.symbol(exported) {
            let text = String(cString: string.assumingMemoryBound(to: CChar.self))
            return Source(text: text, offset: 0, origin: "the string \(exported) in \(path)")
        }
        let manifest = path + ".signatures"
        for line in TextFile.lines(manifest) where line.hasPrefix(spec.symbol + "(") {
            return Source(text: line, offset: 0, origin: "\(manifest)")
        }
        return nil
    }

    /// The function's name, for logs and errors.
    var name: String { call.signature.symbol }

    /// Runs one invocation: answers it through `state` with the result or the error.
    func handle(_ event: UnsafeRawBufferPointer, state: InvocationState) {
        do {
            let arguments = try Marshalling.arguments(from: event, for: call.signature)
            let result = try call.call(function, with: arguments)
            let answer = try Marshalling.answer(result, of: call.signature)
            _ = answer.withUnsafeBytes { state.respond($0.baseAddress, $0.count) }
        } catch let error as MarshallingError {
            _ = state.fail(type: error.code.errorType, message: error.message)
        } catch {
            _ = state.fail(type: ErrorTypes.handlerFailed, message: "\(error)")
        }
    }
}
