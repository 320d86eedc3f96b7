// Times LambdaJSON's coders against FoundationEssentials' on each event fixture: decoding
// into the event's Codable shape, and encoding that value back (default settings, then
// sorted keys). Prints microseconds per operation, the best of several rounds (the
// machine is shared; the best round is the least disturbed), and FoundationEssentials'
// time over LambdaJSON's.
//
//   swift run -c release json-bench [FIXTURES_FOLDER] [ROUNDS]
//   json-bench FIXTURES_FOLDER profile FIXTURE COUNT   LambdaJSON only, for valgrind
import Foundation
import LambdaJSON

struct Person: Codable { var name: String }

let arguments = CommandLine.arguments
let folder = arguments.count > 1 ? arguments[1] : "../../Tests/Fixtures/events"
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 7 : 7

/// Nanoseconds per call of `body`: the best of `rounds` rounds of about 40 ms each.
func time(_ body: () throws -> Void) rethrows -> Double {
    var calls = 1
    while true {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls { try body() }
        if DispatchTime.now().uptimeNanoseconds - start > 4_000_000 { break }
        calls *= 2
    }
    calls *= 10
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls { try body() }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls))
    }
    return best
}

func row(_ name: String, _ size: Int, _ ours: Double, _ theirs: Double) {
    let text = "\(name)".padding(toLength: 30, withPad: " ", startingAt: 0)
    print(text + String(format: "%7d B %10.2f µs %10.2f µs %7.2fx", size, ours / 1000, theirs / 1000, theirs / ours))
}

func bench<T: Codable>(_ type: T.Type, _ name: String, bytes: [UInt8]) throws {
    let data = Data(bytes)
    let ourDecoder = LambdaJSONDecoder()
    let theirDecoder = JSONDecoder()
    let value = try ourDecoder.decode(T.self, from: bytes)
    row("\(name) decode", bytes.count, try time { _ = try ourDecoder.decode(T.self, from: bytes) }, try time { _ = try theirDecoder.decode(T.self, from: data) })
    let ourEncoder = LambdaJSONEncoder()
    let theirEncoder = JSONEncoder()
    row("\(name) encode", bytes.count, try time { _ = try ourEncoder.encode(value) }, try time { _ = try theirEncoder.encode(value) })
    var sortedOurs = LambdaJSONEncoder()
    sortedOurs.outputFormatting = .sortedKeys
    let sortedTheirs = JSONEncoder()
    sortedTheirs.outputFormatting = .sortedKeys
    row("\(name) encode sorted", bytes.count, try time { _ = try sortedOurs.encode(value) }, try time { _ = try sortedTheirs.encode(value) })
}

func fixture(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name).json"))) }

if arguments.count > 4, arguments[2] == "profile" {
    let bytes = try fixture(arguments[3])
    let count = Int(arguments[4]) ?? 1000
    func run<T: Codable>(_ type: T.Type) throws {
        let value = try LambdaJSONDecoder().decode(T.self, from: bytes)
        for _ in 0..<count {
            _ = try LambdaJSONDecoder().decode(T.self, from: bytes)
            _ = try LambdaJSONEncoder().encode(value)
        }
    }
    switch arguments[3] {
    case "dynamodb-stream": try run(DynamoDBStreamEvent.self)
    case "apigateway-rest": try run(APIGatewayRESTEvent.self)
    case "s3": try run(S3Event.self)
    case "eventbridge": try run(EventBridgeEvent.self)
    default: try run(AnyJSON.self)
    }
    exit(0)
}

print("case".padding(toLength: 30, withPad: " ", startingAt: 0) + "   input      LambdaJSON  FoundationEss.   F/L")
try bench(Person.self, "hello {\"name\":...}", bytes: Array(#"{"name":"World"}"#.utf8))
try bench(APIGatewayRESTEvent.self, "apigateway-rest", bytes: fixture("apigateway-rest"))
try bench(APIGatewayHTTPEvent.self, "apigateway-http", bytes: fixture("apigateway-http"))
try bench(APIGatewayHTTPEvent.self, "function-url", bytes: fixture("function-url"))
try bench(SQSEvent.self, "sqs", bytes: fixture("sqs"))
try bench(SNSEvent.self, "sns", bytes: fixture("sns"))
try bench(S3Event.self, "s3", bytes: fixture("s3"))
try bench(DynamoDBStreamEvent.self, "dynamodb-stream", bytes: fixture("dynamodb-stream"))
try bench(EventBridgeEvent.self, "eventbridge", bytes: fixture("eventbridge"))
try bench(KinesisEvent.self, "kinesis", bytes: fixture("kinesis"))
try bench(AnyJSON.self, "apigateway-rest (untyped)", bytes: fixture("apigateway-rest"))
