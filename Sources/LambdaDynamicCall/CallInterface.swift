import CFFI
import CLambdaSystem

/// A prepared call to a C function of one ``Signature``: `ffi_prep_cif` once, then
/// `ffi_call` per call.
///
/// Cost per call: writing each argument into storage prepared once, the call itself, and a
/// copy for each `str` and `bytes` argument and a `str` result. Not thread-safe: one
/// interface per thread that calls.
public final class CallInterface {
    /// The signature it calls.
    public let signature: Signature
    private var cif = ffi_cif()
    /// The C arguments (a `bytes` parameter is two: pointer and length).
    private let count: Int
    private let types: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>
    private let storage: UnsafeMutablePointer<UInt64>
    private let pointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>

    /// Prepares the call.
    ///
    /// - Throws: ``DynamicCallError`` when libffi refuses the signature.
    public init(_ signature: Signature) throws(DynamicCallError) {
        self.signature = signature
        let count = signature.parameters.reduce(0) { $0 + ($1.type == .bytes ? 2 : 1) }
        self.count = count
        types = .allocate(capacity: max(count, 1))
        storage = .allocate(capacity: max(count, 1))
        storage.initialize(repeating: 0, count: max(count, 1))
        pointers = .allocate(capacity: max(count, 1))
        var slot = 0
        for parameter in signature.parameters {
            if parameter.type == .bytes {
                types[slot] = cffi_type_pointer()
                types[slot + 1] = cffi_type_uint64()
                slot += 2
            } else {
                types[slot] = Self.ffiType(parameter.type)
                slot += 1
            }
        }
        for i in 0..<count { pointers[i] = UnsafeMutableRawPointer(storage + i) }
        let status = cffi_prep_cif(&cif, cffi_default_abi(), UInt32(count), Self.ffiType(signature.result), types)
        guard status == FFI_OK else {
            throw DynamicCallError(.preparationFailed, "libffi cannot prepare \(signature.text) (status \(status.rawValue))")
        }
    }

    deinit {
        types.deallocate()
        storage.deallocate()
        pointers.deallocate()
    }

    static func ffiType(_ type: CType) -> UnsafeMutablePointer<ffi_type>? {
        switch type {
        case .i8: cffi_type_sint8()
        case .i16: cffi_type_sint16()
        case .i32: cffi_type_sint32()
        case .i64: cffi_type_sint64()
        case .u8, .bool: cffi_type_uint8()
        case .u16: cffi_type_uint16()
        case .u32: cffi_type_uint32()
        case .u64: cffi_type_uint64()
        case .f32: cffi_type_float()
        case .f64: cffi_type_double()
        case .str, .strFree, .bytes: cffi_type_pointer()
        case .void: cffi_type_void()
        }
    }

    /// Calls `function` with `arguments`, one per parameter, already checked against the
    /// parameter types (marshalling does that).
    ///
    /// - Throws: ``DynamicCallError`` `.argumentMismatch` when the count or a kind differs.
    public func call(_ function: UnsafeRawPointer, with arguments: [CValue]) throws(DynamicCallError) -> CValue {
        guard arguments.count == signature.parameters.count else {
            throw DynamicCallError(
                .argumentMismatch, "\(signature.symbol) takes \(signature.parameters.count) arguments, \(arguments.count) given")
        }
        var copies: [UnsafeMutableRawPointer] = []
        defer { copies.forEach { free($0) } }
        var slot = 0
        for (parameter, value) in zip(signature.parameters, arguments) {
            let raw = UnsafeMutableRawPointer(storage + slot)
            switch (parameter.type, value) {
            case (.i8, .signed(let v)): raw.storeBytes(of: Int8(truncatingIfNeeded: v), as: Int8.self)
            case (.i16, .signed(let v)): raw.storeBytes(of: Int16(truncatingIfNeeded: v), as: Int16.self)
            case (.i32, .signed(let v)): raw.storeBytes(of: Int32(truncatingIfNeeded: v), as: Int32.self)
            case (.i64, .signed(let v)): raw.storeBytes(of: v, as: Int64.self)
            case (.u8, .unsigned(let v)): raw.storeBytes(of: UInt8(truncatingIfNeeded: v), as: UInt8.self)
            case (.u16, .unsigned(let v)): raw.storeBytes(of: UInt16(truncatingIfNeeded: v), as: UInt16.self)
            case (.u32, .unsigned(let v)): raw.storeBytes(of: UInt32(truncatingIfNeeded: v), as: UInt32.self)
            case (.u64, .unsigned(let v)): raw.storeBytes(of: v, as: UInt64.self)
            case (.f32, .float(let v)): raw.storeBytes(of: v, as: Float.self)
            case (.f64, .double(let v)): raw.storeBytes(of: v, as: Double.self)
            case (.bool, .bool(let v)): raw.storeBytes(of: v ? 1 : 0, as: UInt8.self)
            case (.str, .string(let v)):
                var copy: UnsafeMutableRawPointer?
                if let v {
                    copy = v.withCString { strdup($0) }.map { UnsafeMutableRawPointer($0) }
                    if let copy { copies.append(copy) }
                }
                raw.storeBytes(of: copy, as: UnsafeMutableRawPointer?.self)
            case (.bytes, .bytes(let v)):
                let copy = malloc(max(v.count, 1))
                if let copy {
                    copies.append(copy)
                    v.withUnsafeBytes { if let base = $0.baseAddress { memcpy(copy, base, v.count) } }
                }
                raw.storeBytes(of: copy, as: UnsafeMutableRawPointer?.self)
                slot += 1
                UnsafeMutableRawPointer(storage + slot).storeBytes(of: UInt64(v.count), as: UInt64.self)
            default:
                throw DynamicCallError(
                    .argumentMismatch, "argument \(slot + 1) of \(signature.symbol) is \(value), not a \(parameter.type.rawValue)")
            }
            slot += 1
        }
        // Results narrower than a register come back widened to a full ffi_arg (libffi's
        // rule): read 8 bytes, then narrow.
        var result: UInt64 = 0
        typealias Function = @convention(c) () -> Void
        withUnsafeMutableBytes(of: &result) { rvalue in
            cffi_call(&cif, unsafeBitCast(function, to: Function.self), rvalue.baseAddress, pointers)
        }
        return Self.value(of: result, as: signature.result)
    }

    static func value(of raw: UInt64, as type: CType) -> CValue {
        switch type {
        case .i8: .signed(Int64(Int8(truncatingIfNeeded: raw)))
        case .i16: .signed(Int64(Int16(truncatingIfNeeded: raw)))
        case .i32: .signed(Int64(Int32(truncatingIfNeeded: raw)))
        case .i64: .signed(Int64(bitPattern: raw))
        case .u8: .unsigned(UInt64(UInt8(truncatingIfNeeded: raw)))
        case .u16: .unsigned(UInt64(UInt16(truncatingIfNeeded: raw)))
        case .u32: .unsigned(UInt64(UInt32(truncatingIfNeeded: raw)))
        case .u64: .unsigned(raw)
        case .bool: .bool(raw & 0xff != 0)
        case .f32: .float(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
        case .f64: .double(Double(bitPattern: raw))
        case .str: .string(UnsafePointer<CChar>(bitPattern: UInt(raw)).map { String(cString: $0) })
        case .strFree:
            .string(UnsafeMutablePointer<CChar>(bitPattern: UInt(raw)).map { pointer in
                defer { free(pointer) }
                return String(cString: pointer)
            })
        case .void, .bytes: .void
        }
    }
}
