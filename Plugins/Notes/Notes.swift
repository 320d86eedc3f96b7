// Notes: a Swift plugin that calls S3 and DynamoDB with no AWS SDK in it. The host signs
// each request with the function's own credentials (SigV4, ABI 1.3). It stores the event's
// text as an S3 object, reads it back, and looks the note's title up in DynamoDB:
//
//   _HANDLER=libNotes.so   NOTES_BUCKET=my-notes   NOTES_TABLE=notes
//   event:   {"id": "n1", "text": "hello"}
//   answer:  {"id": "n1", "text": "hello", "title": "First note"}
//
// The calls, in order: S3 PutObject of the text (text/plain) to s3://$NOTES_BUCKET/notes/<id>.txt,
// S3 GetObject of it ("text" in the answer is what came back), DynamoDB GetItem of the key
// {"id": {"S": "<id>"}} in the table $NOTES_TABLE ("title" is the item's string attribute
// "title", or null when there is no such item or attribute).
//
// Errors: AWS's refusal answers a handler error whose type is AWS's code and whose message
// is AWS's (NoSuchBucket, ResourceNotFoundException, AccessDenied, ...); a call that did not
// reach AWS or got no usable answer keeps the SDK's type (Outbound.NotSent: no credentials,
// no route; Outbound.Failed; Outbound.InvalidResponse); an event of another shape is
// InvalidEvent; NOTES_BUCKET or NOTES_TABLE unset is Notes.Configuration.
//
// Locally, against moto (`python3 -m moto.server -p 5055`):
//   AWS_ENDPOINT_URL=http://127.0.0.1:5055 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test \
//   AWS_SECRET_ACCESS_KEY=test NOTES_BUCKET=notes NOTES_TABLE=notes \
//   lambda-host-tools invoke --handler .build/debug/libNotes.so --event '{"id": "n1", "text": "hello"}'
import LambdaPlugin
import LambdaPluginHTTP

struct Note: Decodable {
    let id: String
    let text: String
}

struct Answer: Encodable {
    let id: String
    let text: String
    let title: String?

    private enum CodingKeys: String, CodingKey { case id, text, title }

    // Written out so that a missing title is `null` rather than left out.
    func encode(to encoder: any Encoder) throws {
        var fields = encoder.container(keyedBy: CodingKeys.self)
        try fields.encode(id, forKey: .id)
        try fields.encode(text, forKey: .text)
        try fields.encode(title, forKey: .title)
    }
}

/// A DynamoDB attribute value; only its string form (`{"S": "..."}`) is read or written here.
struct AttributeValue: Codable {
    var string: String?

    private enum CodingKeys: String, CodingKey { case string = "S" }
}

/// DynamoDB GetItem's input, with the member names of AWS's API reference.
struct GetItem: Encodable {
    let tableName: String
    let key: [String: AttributeValue]

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key"
    }
}

/// The part of GetItem's output read here: the item, absent when there is none.
struct GetItemOutput: Decodable {
    let item: [String: AttributeValue]?

    private enum CodingKeys: String, CodingKey { case item = "Item" }
}

struct NotesError: LambdaPluginError {
    var errorType: String
    var errorMessage: String
}

@c public func lambda_plugin_v1() -> UnsafePointer<lambda_plugin_descriptor> {
    LambdaPluginDescriptor.register(name: "notes", version: "1.0.0")
}

@c public func handler(_ invocation: UnsafePointer<lambda_invocation>?) -> Int32 {
    LambdaPlugin.handleBytes(invocation) { payload, context in
        let note = try event(payload)
        guard let bucket = LambdaEnvironment["NOTES_BUCKET"], !bucket.isEmpty, let table = LambdaEnvironment["NOTES_TABLE"], !table.isEmpty
        else {
            throw NotesError(
                errorType: "Notes.Configuration", errorMessage: "set NOTES_BUCKET (the S3 bucket) and NOTES_TABLE (the DynamoDB table)")
        }
        let key = "notes/\(note.id).txt"
        let s3 = S3Client(context.http)
        try s3.putObject(bucket: bucket, key: key, body: Array(note.text.utf8), contentType: "text/plain; charset=utf-8")
        let stored = try s3.getObject(bucket: bucket, key: key)
        let found = try AWSJSONClient.dynamoDB(context.http).call(
            "GetItem", GetItem(tableName: table, key: ["id": AttributeValue(string: note.id)]), as: GetItemOutput.self)
        let answer = Answer(id: note.id, text: String(decoding: stored, as: UTF8.self), title: found.item?["title"]?.string)
        var encoder = LambdaJSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(answer)
    }
}

/// The event as a note, or InvalidEvent saying the shape wanted.
private func event(_ payload: UnsafeRawBufferPointer) throws(NotesError) -> Note {
    let shape = #"the event must be {"id": "<note id>", "text": "<note text>"} with a non-empty id"#
    guard let note = try? LambdaJSONDecoder().decode(Note.self, from: payload), !note.id.isEmpty else {
        throw NotesError(errorType: "InvalidEvent", errorMessage: shape)
    }
    return note
}
