import Testing

@testable import LambdaPluginHTTP

/// The Swift SDK's reading of AWS's error documents and its S3 paths, in process: what a
/// handler error's type and message become, and what reaches the wire as the key.
@Suite struct AWSSwiftSDKDocumentTests {
    private func response(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> LambdaHTTPResponse {
        LambdaHTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    @Test func aDynamoDBErrorDocumentGivesTheCodeAfterTheHashTheMessageAndTheRequestID() {
        let error = AWSCallError(
            jsonResponse: response(
                400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#,
                headers: [("x-amzn-RequestId", "R1D2"), ("Content-Type", "application/x-amz-json-1.0")]))
        #expect(error.code == "ResourceNotFoundException")
        #expect(error.message == "Requested resource not found")
        #expect(error.status == 400)
        #expect(error.requestID == "R1D2")
        #expect(error.httpError == nil)
        // As a handler error: AWS's code is the type, AWS's message the message.
        #expect(error.errorType == "ResourceNotFoundException")
        #expect(error.errorMessage == "Requested resource not found")
        #expect(error.description == "ResourceNotFoundException: Requested resource not found (status 400, request id R1D2)")
    }

    @Test(arguments: [
        (#"{"__type":"com.amazon.coral.validate#ValidationException","Message":"1 validation error detected"}"#, [], "ValidationException", "1 validation error detected"),
        (#"{"code":"ThrottlingException","message":"Rate exceeded"}"#, [], "ThrottlingException", "Rate exceeded"),
        (#"{"Code":"AccessDeniedException","Message":"not allowed"}"#, [], "AccessDeniedException", "not allowed"),
        (#"{"__type":"FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/","message":"m"}"#, [], "FooError", "m"),
        (#"{"__type":"aws.protocoltests#FooError:http://internal.amazon.com/coral/","message":"m"}"#, [], "FooError", "m"),
        (#"{"code":"FromBody","__type":"x#FromType","message":"m"}"#, [], "FromBody", "m"),
        (#"{"__type":"x#FromBody","message":"m"}"#, [("X-Amzn-Errortype", "FromHeader:http://internal.amazon.com/")], "FromHeader", "m"),
        (#"{"__type":5,"message":"the type is not text"}"#, [], "400", "the type is not text"),
    ] as [(String, [(name: String, value: String)], String, String)])
    func theCodeComesFromTheHeaderThenCodeThenType(body: String, headers: [(name: String, value: String)], code: String, message: String) {
        let error = AWSCallError(jsonResponse: response(400, body, headers: headers))
        #expect(error.code == code)
        #expect(error.message == message)
    }

    @Test func anAnswerWithoutAnErrorDocumentGivesTheStatusAndQuotesTheBodyShortly() {
        let page = "<html>Bad Gateway</html>" + String(repeating: "x", count: 500)
        let proxy = AWSCallError(jsonResponse: response(502, page))
        #expect(proxy.code == "502")
        #expect(proxy.message.hasPrefix("AWS answered with status 502 and no error message: <html>Bad Gateway</html>xxx"))
        #expect(proxy.message.count < 300)
        let empty = AWSCallError(jsonResponse: response(500, ""))
        #expect(empty.code == "500")
        #expect(empty.message == "AWS answered with status 500 and no error message")
        #expect(empty.requestID == nil)
    }

    @Test func anS3ErrorDocumentIsReadWithoutAnXMLLibrary() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The key &quot;a&lt;b&gt;&quot; &amp; its version &#x41;&#66; don&apos;t exist</Message>\
            <Key>a&lt;b&gt;</Key><RequestId>4442587FB7D0A2F9</RequestId><HostId>h</HostId></Error>
            """
        let error = AWSCallError(xmlResponse: response(404, body))
        #expect(error.code == "NoSuchKey")
        #expect(error.message == #"The key "a<b>" & its version AB don't exist"#)
        #expect(error.requestID == "4442587FB7D0A2F9")
        // The header, when S3 sends it, is the request id the SDKs report.
        let headed = AWSCallError(xmlResponse: response(403, body, headers: [("x-amz-request-id", "FROMHEADER")]))
        #expect(headed.requestID == "FROMHEADER")
        // A HEAD answer has no body: the status is the code, as boto3 has it.
        let head = AWSCallError(xmlResponse: response(404, ""))
        #expect(head.code == "404")
        let blank = AWSCallError(xmlResponse: response(403, "<Error><Code></Code></Error>"))
        #expect(blank.code == "403")
    }

    @Test func theTagSearchFindsTheFirstWholeElementOrNothing() {
        let body = Array("<Error><Code>A</Code><Code>B</Code><Message>unclosed".utf8)
        #expect(AWSCallError.xmlElement("Code", in: body) == "A")
        #expect(AWSCallError.xmlElement("Message", in: body) == nil)
        #expect(AWSCallError.xmlElement("Missing", in: body) == nil)
        #expect(AWSCallError.xmlElement("Code", in: Array("</Code><Code>".utf8)) == nil)
        #expect(AWSCallError.xmlElement("Code", in: []) == nil)
    }

    @Test func entitiesAreDecodedAndAnythingElseStaysAsWritten() {
        #expect(AWSCallError.decodeEntities("a &amp; b &lt;c&gt; &#233;&#xE9; &unknown; & alone &") == "a & b <c> éé &unknown; & alone &")
        #expect(AWSCallError.decodeEntities("&#xFFFFFFFF; &#; &amp") == "&#xFFFFFFFF; &#; &amp")
        #expect(AWSCallError.decodeEntities("no entity") == "no entity")
    }

    @Test func aFailureOnTheWayKeepsTheSDKsTypeAndNoStatus() {
        let error = AWSCallError(LambdaHTTPError(.notSent, "POST /: not sent: no AWS credentials to sign with"))
        #expect(error.code == "Outbound.NotSent")
        #expect(error.errorType == "Outbound.NotSent")
        #expect(error.message == "POST /: not sent: no AWS credentials to sign with")
        #expect(error.status == 0)
        #expect(error.httpError?.kind == .notSent)
        #expect(error.description == "Outbound.NotSent: POST /: not sent: no AWS credentials to sign with")
    }

    @Test func anS3KeyIsPercentEncodedAsS3SignsItKeepingItsSlashes() {
        #expect(S3Client.path(bucket: "notes-bucket", key: "notes/n1.txt") == "/notes-bucket/notes/n1.txt")
        #expect(
            S3Client.path(bucket: "notes-bucket", key: "notes/a b+c~d_e-f.g/é?#%&=*:@$,;'()!")
                == "/notes-bucket/notes/a%20b%2Bc~d_e-f.g/%C3%A9%3F%23%25%26%3D%2A%3A%40%24%2C%3B%27%28%29%21")
        // A slash in the bucket cannot move the request to another bucket's path.
        #expect(S3Client.path(bucket: "a/b", key: "k") == "/a%2Fb/k")
        #expect(S3Client.path(bucket: "b", key: "//double//") == "/b///double//")
    }
}
