import Glibc
import Testing

@testable import LambdaDynamicCall

/// The signature grammar, and real calls through libffi into the system's C libraries.
@Suite struct DynamicCallTests {
    @Test(arguments: [
        ("cbrt(f64)->f64", "cbrt", [nil], [CType.f64], CType.f64),
        ("distance(lat1:f64,lon1:f64,lat2:f64,lon2:f64)->f64", "distance", ["lat1", "lon1", "lat2", "lon2"],
         [.f64, .f64, .f64, .f64], .f64),
        ("now()->i64", "now", [], [], .i64),
        ("log_it(msg:str)->void", "log_it", ["msg"], [.str], .void),
        ("crc(data:bytes,seed:u32)->u32", "crc", ["data", "seed"], [.bytes, .u32], .u32),
        ("f(i8,i16,i32,i64,u8,u16,u32,u64,f32,bool)->bool", "f", Array(repeating: nil, count: 10),
         [.i8, .i16, .i32, .i64, .u8, .u16, .u32, .u64, .f32, .bool], .bool),
    ] as [(String, String, [String?], [CType], CType)])
    func acceptedSignatures(text: String, symbol: String, names: [String?], types: [CType], result: CType) throws {
        let signature = try Signature(parsing: text)
        #expect(signature.symbol == symbol)
        #expect(signature.parameters.map(\.name) == names)
        #expect(signature.parameters.map(\.type) == types)
        #expect(signature.result == result)
        #expect(signature.text == text)
    }

    @Test(arguments: [
        ("cbrt(f64)", 9, "expected '->'"),
        ("cbrt(f65)->f64", 5, "'f65' is not a type"),
        ("cbrt(x:)->f64", 7, "expected a type for parameter 'x'"),
        ("cbrt(f64->f64", 8, "expected ')'"),
        ("cbrt(f64)->bytes", 11, "'bytes' cannot be a result"),
        ("cbrt(void)->f64", 5, "a parameter cannot be void"),
        ("f(s:str_free)->void", 4, "a parameter cannot be str_free"),
        ("cbrt(f64)->f64x", 11, "'f64x' is not a type"),
        ("cbrt(f64)->f64)", 14, "unexpected ')'"),
        ("(f64)->f64", 0, "expected a function name"),
        ("cbrt(f64, f64)->f64", 9, "white space"),
        ("cbrt(f64,)->f64", 9, "expected a parameter type or name"),
        ("9lives(f64)->f64", 0, "expected a function name"),
    ])
    func refusedSignaturesNameThePosition(text: String, position: Int, reason: String) {
        do {
            _ = try Signature(parsing: text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.position == position, "\(text): \(error)")
            #expect(error.reason.contains(reason), "\(text): \(error.reason)")
            #expect(error.description.contains("^"))
        }
    }

    func symbol(_ library: String, _ name: String) throws -> UnsafeRawPointer {
        let handle = try #require(dlopen(library, RTLD_NOW | RTLD_LOCAL))
        return UnsafeRawPointer(try #require(dlsym(handle, name), "\(name) not in \(library)"))
    }

    func call(_ library: String, _ text: String, _ arguments: [CValue]) throws -> CValue {
        let signature = try Signature(parsing: text)
        return try CallInterface(signature).call(try symbol(library, signature.symbol), with: arguments)
    }

    @Test func callsIntoTheSystemsMathLibrary() throws {
        // Exactly what a direct call gives (glibc's cbrt(27) is 3.0000000000000004).
        #expect(try call("libm.so.6", "cbrt(f64)->f64", [.double(27)]) == .double(Glibc.cbrt(27)))
        #expect(try call("libm.so.6", "powf(f32,f32)->f32", [.float(2), .float(10)]) == .float(1024))
        #expect(try call("libm.so.6", "hypot(x:f64,y:f64)->f64", [.double(3), .double(4)]) == .double(5))
    }

    @Test func integersAreNarrowedAndWidenedAsCDoes() throws {
        #expect(try call("libc.so.6", "labs(i64)->i64", [.signed(-5_000_000_000)]) == .signed(5_000_000_000))
        #expect(try call("libc.so.6", "abs(i32)->i32", [.signed(-7)]) == .signed(7))
        #expect(try call("libc.so.6", "toupper(i32)->i32", [.signed(97)]) == .signed(65))
        // abs(INT32_MIN) is INT32_MIN in C: the 32-bit result comes back sign-extended.
        #expect(try call("libc.so.6", "abs(i32)->i32", [.signed(Int64(Int32.min))]) == .signed(Int64(Int32.min)))
        // The same bits read as an i8 result: -128 (0x80000000 narrowed to 8 bits is 0).
        #expect(CallInterface.value(of: 0xFFFF_FF80, as: .i8) == .signed(-128))
        #expect(CallInterface.value(of: 0xFFFF_FF80, as: .u8) == .unsigned(128))
        #expect(CallInterface.value(of: 0x1_0000_0001, as: .u32) == .unsigned(1))
    }

    @Test func stringsAndBytesCrossAsCopies() throws {
        #expect(try call("libc.so.6", "strlen(str)->u64", [.string("héllo")]) == .unsigned(6))
        #expect(try call("libc.so.6", "atoi(str)->i32", [.string("-42")]) == .signed(-42))
        #expect(try call("libc.so.6", "getenv(str)->str", [.string("LAMBDA_HOST_SURELY_UNSET")]) == .string(nil))
        #expect(try call("libc.so.6", "strnlen(bytes)->u64", [.bytes(Array("abc\u{0}def".utf8))]) == .unsigned(3))
    }

    @Test func argumentsThatDoNotFitAreRefused() throws {
        let cbrt = try CallInterface(Signature(parsing: "cbrt(f64)->f64"))
        let function = try symbol("libm.so.6", "cbrt")
        #expect(throws: DynamicCallError.self) { try cbrt.call(function, with: []) }
        #expect(throws: DynamicCallError.self) { try cbrt.call(function, with: [.string("27")]) }
    }

    @Test func everyTypeThroughAPlainCLibrary() throws {
        let calc = BuildProducts.plugin("Calc")
        let distance = try call(calc, "distance(lat1:f64,lon1:f64,lat2:f64,lon2:f64)->f64",
                                [.double(48.8566), .double(2.3522), .double(51.5074), .double(-0.1278)])
        guard case .double(let km) = distance else {
            Issue.record("distance returned \(distance)")
            return
        }
        #expect(abs(km - 343.5) < 1, "Paris to London: \(km) km")
        // A narrow result comes back from a full register and is narrowed with its sign.
        #expect(try call(calc, "clamp_i8(i64)->i8", [.signed(-1000)]) == .signed(-128))
        #expect(try call(calc, "clamp_i8(i64)->i8", [.signed(1000)]) == .signed(127))
        #expect(try call(calc, "clamp_i8(i64)->i8", [.signed(-5)]) == .signed(-5))
        #expect(try call(calc, "add_u16(u16,u16)->u16", [.unsigned(65535), .unsigned(2)]) == .unsigned(1))
        #expect(try call(calc, "scale_f32(f32,f32)->f32", [.float(1.5), .float(-2)]) == .float(-3))
        #expect(try call(calc, "is_even(i32)->bool", [.signed(-4)]) == .bool(true))
        #expect(try call(calc, "is_even(i32)->bool", [.signed(7)]) == .bool(false))
        #expect(try call(calc, "mul_i64(i64,i64)->i64", [.signed(3_000_000_000), .signed(-3)]) == .signed(-9_000_000_000))
        #expect(try call(calc, "max_u64()->u64", []) == .unsigned(UInt64.max))
        #expect(try call(calc, "greet(name:str)->str", [.string("Wörld")]) == .string("Hello, Wörld!"))
        #expect(try call(calc, "checksum(data:bytes)->u32", [.bytes([1, 2, 3, 250])]) == .unsigned(256))
        #expect(try call(calc, "noop()->void", []) == .void)
        // A malloc'd result: copied, then freed by the host (str_free).
        for _ in 0..<1000 {
            #expect(try call(calc, "shout(name:str)->str_free", [.string("hey")]) == .string("HEY!"))
        }
    }
}
