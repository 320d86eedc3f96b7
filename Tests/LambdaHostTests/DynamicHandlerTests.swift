import Foundation
import Testing

@testable import LambdaDynamicCall

/// Plain C functions as handlers, through the real host: `_HANDLER` carries the signature.
@Suite struct DynamicHandlerTests {
    @Test func aSystemLibraryServesAsItIs() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libm.so.6:cbrt(f64)->f64", api: api)
        api.enqueue("cbrt-1", "[27]")
        api.enqueue("cbrt-2", "[-8]")
        #expect(api.answer(to: "cbrt-1")?.text == #"{"result":3.0000000000000004}"#)
        #expect(api.answer(to: "cbrt-2")?.text == #"{"result":-2.0}"#)
        _ = host
    }

    @Test func namedArgumentsAndEventErrorsThatLeaveTheLoopRunning() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libCalc.so:clamp_i8(v:i64)->i8", api: api)
        api.enqueue("c-1", #"{"v":-1000}"#)
        api.enqueue("c-2", #"{"v":1.5}"#)
        api.enqueue("c-3", #"{"w":1}"#)
        api.enqueue("c-4", "not json")
        api.enqueue("c-5", "[42]")
        #expect(api.answer(to: "c-1")?.text == #"{"result":-128}"#)
        #expect(api.answer(to: "c-2")?.headers["lambda-runtime-function-error-type"] == "InvalidEvent.WrongType")
        #expect(api.answer(to: "c-3")?.headers["lambda-runtime-function-error-type"] == "InvalidEvent.MissingArgument")
        #expect(api.answer(to: "c-4")?.headers["lambda-runtime-function-error-type"] == "InvalidEvent.NotJSON")
        #expect(api.answer(to: "c-5")?.text == #"{"result":42}"#)
        _ = host
    }

    /// What the reader cannot represent exactly is an invocation error, not a guess: a
    /// repeated member, bytes that are not UTF-8, a lone surrogate. The loop goes on.
    @Test func inexactEventsAreRefusedThroughTheHost() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libCalc.so:greet(name:str)->str", api: api)
        api.enqueue("g-1", #"{"name":"a","name":"b"}"#)
        api.enqueue(.init(requestID: "g-2", body: Array(#"{"name":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8)))
        api.enqueue("g-3", #"{"name":"\ud800"}"#)
        api.enqueue("g-4", #"{"name":"caf\u00e9"}"#)
        for (id, type, words) in [
            ("g-1", "InvalidEvent.DuplicateName", "'name' twice"), ("g-2", "InvalidEvent.NotUTF8", "byte 0xE9 at byte 12"),
            ("g-3", "InvalidEvent.NotUTF8", #"\ud800"#),
        ] {
            let answer = api.answer(to: id)
            #expect(answer?.path.hasSuffix("/error") == true, "\(id): \(String(describing: answer?.text))")
            #expect(answer?.headers["lambda-runtime-function-error-type"] == type, "\(id)")
            let message = jsonObject(answer)?["errorMessage"] as? String
            #expect(message?.contains(words) == true, "\(id): \(String(describing: message))")
        }
        #expect(api.answer(to: "g-4")?.text == #"{"result":"Hello, café!"}"#)
        _ = host
    }

    @Test func aMalformedSignatureIsAnInitErrorAtItsPosition() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libm.so.6:cbrt(f64->f64", api: api)
        let error = try #require(jsonObject(api.initError()))
        #expect(host.waitForExit() == 1)
        #expect(error["errorType"] as? String == "Runtime.MalformedHandlerName")
        #expect((error["errorMessage"] as? String)?.contains("at position 18") == true)
    }

    @Test func aMissingFunctionIsAnInitErrorAtItsPosition() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libCalc.so:nosuch(f64)->f64", api: api)
        let error = try #require(jsonObject(api.initError()))
        #expect(host.waitForExit() == 1)
        #expect(error["errorType"] as? String == "Runtime.HandlerNotFound")
        #expect((error["errorMessage"] as? String)?.contains("'nosuch' (position 11") == true)
    }

    @Test func aDataSymbolIsRefusedRatherThanCalled() throws {
        let api = try TestRuntimeAPI()
        // lambda_signature_distance is a string that libCalc exports: calling it would crash.
        let host = try HostProcess(handler: "libCalc.so:lambda_signature_distance(a:f64)->f64", api: api)
        let error = try #require(jsonObject(api.initError()))
        #expect(host.waitForExit() == 1)
        #expect(error["errorType"] as? String == "Runtime.HandlerNotFound")
        #expect((error["errorMessage"] as? String)?.contains("defines 'lambda_signature_distance' as data (STT_OBJECT), not as a function") == true)
    }

    @Test func aBareNameFoundNowhereIsAnInitError() throws {
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libnothing.so.9:f()->void", api: api)
        let error = try #require(jsonObject(api.initError()))
        #expect(host.waitForExit() == 1)
        #expect(error["errorType"] as? String == "Runtime.PluginLoadFailed")
    }

    @Test func aLibraryMayDeclareLongSignaturesItself() throws {
        // The string lambda_signature_distance that libCalc.so exports.
        let api = try TestRuntimeAPI()
        let host = try HostProcess(handler: "libCalc.so:distance", api: api)
        api.enqueue("d-1", #"{"lat1":0,"lon1":0,"lat2":0,"lon2":1}"#)
        #expect(api.answer(to: "d-1")?.text == #"{"result":111.19492664455873}"#)
        _ = host

        // A manifest beside the library.
        let root = try TemporaryFolder()
        try FileManager.default.copyItem(atPath: BuildProducts.plugin("Calc"), toPath: root.path + "/libCalc.so")
        try "# signatures of libCalc.so\nscale_f32(value:f32,factor:f32)->f32\n"
            .write(toFile: root.path + "/libCalc.so.signatures", atomically: true, encoding: .utf8)
        let manifestAPI = try TestRuntimeAPI()
        let manifestHost = try HostProcess(handler: "libCalc.so:scale_f32", api: manifestAPI, taskRoot: root.path)
        manifestAPI.enqueue("s-1", #"{"value":1.5,"factor":4}"#)
        #expect(manifestAPI.answer(to: "s-1")?.text == #"{"result":6.0}"#)
        _ = manifestHost

        // Neither: the error says how to give one.
        let missingAPI = try TestRuntimeAPI()
        let missing = try HostProcess(handler: "libCalc.so:noop", api: missingAPI)
        let error = try #require(jsonObject(missingAPI.initError()))
        #expect(missing.waitForExit() == 1)
        #expect(error["errorType"] as? String == "Runtime.MissingEntryPoint")
        #expect((error["errorMessage"] as? String)?.contains("lambda_signature_<function>") == true)
    }

    /// Random text as a signature (seeded): the parser accepts it or names a position
    /// inside it, and never traps.
    @Test func randomSignaturesNeverTrapTheParser() {
        var generator = SeededGenerator(seed: 0x51_6A7E)
        let alphabet = Array("abcxyz_019():,->ifustrbolvd \t\u{e9}")
        for _ in 0..<2000 {
            let length = Int.random(in: 0...40, using: &generator)
            let text = String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
            do {
                let signature = try Signature(parsing: text)
                #expect(signature.text == text, "\(text.debugDescription)")
            } catch {
                #expect(error.position >= 0 && error.position <= text.count, "\(text.debugDescription): \(error)")
            }
        }
    }
}
