import Foundation
import LambdaJSON

/// The SDK's coders (LambdaJSON) and FoundationEssentials' side by side, for the
/// differential tests: the same input through both, compared by the caller.
enum CoderPair {
    /// `bytes` decoded as `T` by LambdaJSON's decoder.
    static func ours<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) -> Result<T, any Error> {
        Result { try LambdaJSONDecoder().decode(T.self, from: bytes) }
    }

    /// `bytes` decoded as `T` by FoundationEssentials' decoder, default settings.
    static func foundation<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) -> Result<T, any Error> {
        Result { try JSONDecoder().decode(T.self, from: Data(bytes)) }
    }

    /// `value` encoded by both, with the same formatting.
    static func encode<T: Encodable>(_ value: T, _ formatting: LambdaJSONEncoder.OutputFormatting = [.sortedKeys])
        -> (ours: Result<[UInt8], any Error>, foundation: Result<[UInt8], any Error>)
    {
        var encoder = LambdaJSONEncoder()
        encoder.outputFormatting = formatting
        let theirs = JSONEncoder()
        var options: JSONEncoder.OutputFormatting = []
        if formatting.contains(.sortedKeys) { options.insert(.sortedKeys) }
        if formatting.contains(.prettyPrinted) { options.insert(.prettyPrinted) }
        if formatting.contains(.withoutEscapingSlashes) { options.insert(.withoutEscapingSlashes) }
        theirs.outputFormatting = options
        return (Result { try encoder.encode(value) }, Result { Array(try theirs.encode(value)) })
    }

    /// The text of an encoding, for messages.
    static func text(_ result: Result<[UInt8], any Error>) -> String {
        switch result {
        case .success(let bytes): String(decoding: bytes, as: UTF8.self)
        case .failure(let error): "error: \(error)"
        }
    }

    /// Whether both decodes failed, or both gave equal values.
    static func agree<T: Equatable>(_ a: Result<T, any Error>, _ b: Result<T, any Error>) -> Bool {
        switch (a, b) {
        case (.success(let x), .success(let y)): x == y
        case (.failure, .failure): true
        default: false
        }
    }

    /// Whether both encodings failed, or both wrote the same bytes.
    static func agree(_ a: Result<[UInt8], any Error>, _ b: Result<[UInt8], any Error>) -> Bool {
        switch (a, b) {
        case (.success(let x), .success(let y)): x == y
        case (.failure, .failure): true
        default: false
        }
    }
}
