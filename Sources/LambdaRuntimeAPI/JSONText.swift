/// JSON text helpers for the few documents written by hand.
public enum JSONText {
    /// `text` escaped for the inside of a JSON string (quotes, backslashes, control
    /// characters); what ``ByteWriter/append(jsonEscaped:)`` writes, as a String.
    public static func escaped(_ text: String) -> String {
        var writer = ByteWriter(capacity: text.utf8.count + 16)
        var copy = text
        copy.withUTF8 { writer.append(jsonEscaped: UnsafeRawBufferPointer($0)) }
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
