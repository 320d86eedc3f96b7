import Foundation

// The stream and bus event shapes of Tests/Fixtures/events (see AWSEventShapes.swift).

/// A DynamoDB attribute value: one member whose name is its type. Written out by hand,
/// as a plugin would, so that it exercises `allKeys`, nested containers and recursion.
indirect enum DynamoDBValue: Codable, Equatable {
    case string(String)
    case number(String)
    case binary(Data)
    case bool(Bool)
    case null
    case strings([String])
    case numbers([String])
    case binaries([Data])
    case list([DynamoDBValue])
    case map([String: DynamoDBValue])

    private struct TypeKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: container.codingPath, debugDescription: "an attribute value has exactly one member"))
        }
        switch key.stringValue {
        case "S": self = .string(try container.decode(String.self, forKey: key))
        case "N": self = .number(try container.decode(String.self, forKey: key))
        case "B": self = .binary(try container.decode(Data.self, forKey: key))
        case "BOOL": self = .bool(try container.decode(Bool.self, forKey: key))
        case "NULL": self = .null
        case "SS": self = .strings(try container.decode([String].self, forKey: key))
        case "NS": self = .numbers(try container.decode([String].self, forKey: key))
        case "BS": self = .binaries(try container.decode([Data].self, forKey: key))
        case "L":
            var list = try container.nestedUnkeyedContainer(forKey: key)
            var values: [DynamoDBValue] = []
            while !list.isAtEnd { values.append(try list.decode(DynamoDBValue.self)) }
            self = .list(values)
        case "M": self = .map(try container.decode([String: DynamoDBValue].self, forKey: key))
        default:
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: container.codingPath, debugDescription: "unknown attribute type \(key.stringValue)"))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        switch self {
        case .string(let text): try container.encode(text, forKey: TypeKey(stringValue: "S"))
        case .number(let text): try container.encode(text, forKey: TypeKey(stringValue: "N"))
        case .binary(let data): try container.encode(data, forKey: TypeKey(stringValue: "B"))
        case .bool(let flag): try container.encode(flag, forKey: TypeKey(stringValue: "BOOL"))
        case .null: try container.encode(true, forKey: TypeKey(stringValue: "NULL"))
        case .strings(let texts): try container.encode(texts, forKey: TypeKey(stringValue: "SS"))
        case .numbers(let texts): try container.encode(texts, forKey: TypeKey(stringValue: "NS"))
        case .binaries(let data): try container.encode(data, forKey: TypeKey(stringValue: "BS"))
        case .list(let values):
            var list = container.nestedUnkeyedContainer(forKey: TypeKey(stringValue: "L"))
            for value in values { try list.encode(value) }
        case .map(let members): try container.encode(members, forKey: TypeKey(stringValue: "M"))
        }
    }
}

/// DynamoDB Streams, as an event source.
struct DynamoDBStreamEvent: Codable, Equatable {
    struct StreamRecord: Codable, Equatable {
        var ApproximateCreationDateTime: Double
        var Keys: [String: DynamoDBValue]
        var NewImage: [String: DynamoDBValue]?
        var OldImage: [String: DynamoDBValue]?
        var SequenceNumber: String
        var SizeBytes: Int
        var StreamViewType: String
    }

    struct Record: Codable, Equatable {
        var eventID: String
        var eventName: String
        var eventVersion: String
        var eventSource: String
        var awsRegion: String
        var userIdentity: [String: String]?
        var dynamodb: StreamRecord
        var eventSourceARN: String
    }

    var Records: [Record]
}

/// An EventBridge event; its `detail` is whatever the source sends.
struct EventBridgeEvent: Codable, Equatable {
    var version: String
    var id: String
    var detailType: String
    var source: String
    var account: String
    var time: String
    var region: String
    var resources: [String]
    var detail: AnyJSON

    private enum CodingKeys: String, CodingKey {
        case version, id, detailType = "detail-type", source, account, time, region, resources, detail
    }
}

/// Kinesis Data Streams, as an event source; `data` is base64 (Foundation's `Data`).
struct KinesisEvent: Codable, Equatable {
    struct Payload: Codable, Equatable {
        var kinesisSchemaVersion: String
        var partitionKey: String
        var sequenceNumber: String
        var data: Data
        var approximateArrivalTimestamp: Double
    }

    struct Record: Codable, Equatable {
        var kinesis: Payload
        var eventSource: String
        var eventVersion: String
        var eventID: String
        var eventName: String
        var invokeIdentityArn: String
        var awsRegion: String
        var eventSourceARN: String
    }

    var Records: [Record]
}
