import Foundation

// The AWS event shapes of Tests/Fixtures/events, as a Swift plugin declares them: written
// from AWS's documentation of each event (field names and kinds), not copied from any
// library. Optional where AWS leaves a field out or sends null. Used by the differential
// tests of the Codable coders (JSONDifferentialTests).

/// API Gateway REST API (payload format 1.0), proxy integration.
struct APIGatewayRESTEvent: Codable, Equatable {
    struct Identity: Codable, Equatable {
        var accessKey: String?
        var accountId: String?
        var caller: String?
        var cognitoAuthenticationProvider: String?
        var cognitoAuthenticationType: String?
        var cognitoIdentityId: String?
        var cognitoIdentityPoolId: String?
        var principalOrgId: String?
        var sourceIp: String
        var user: String?
        var userAgent: String?
        var userArn: String?
    }

    struct Authorizer: Codable, Equatable {
        var claims: [String: String]?
        var principalId: String?
        var integrationLatency: Int?
    }

    struct RequestContext: Codable, Equatable {
        var accountId: String
        var apiId: String
        var authorizer: Authorizer?
        var domainName: String
        var domainPrefix: String
        var extendedRequestId: String
        var httpMethod: String
        var identity: Identity
        var path: String
        var `protocol`: String
        var requestId: String
        var requestTime: String
        var requestTimeEpoch: Int64
        var resourceId: String
        var resourcePath: String
        var stage: String
    }

    var resource: String
    var path: String
    var httpMethod: String
    var headers: [String: String]?
    var multiValueHeaders: [String: [String]]?
    var queryStringParameters: [String: String]?
    var multiValueQueryStringParameters: [String: [String]]?
    var pathParameters: [String: String]?
    var stageVariables: [String: String]?
    var requestContext: RequestContext
    var body: String?
    var isBase64Encoded: Bool
}

/// API Gateway HTTP API (payload format 2.0), and Lambda function URLs, which share it.
struct APIGatewayHTTPEvent: Codable, Equatable {
    struct JWT: Codable, Equatable {
        var claims: [String: String]
        var scopes: [String]?
    }

    struct IAM: Codable, Equatable {
        var accessKey: String
        var accountId: String
        var callerId: String
        var cognitoIdentity: String?
        var principalOrgId: String?
        var userArn: String
        var userId: String
    }

    struct Authorizer: Codable, Equatable {
        var jwt: JWT?
        var iam: IAM?
    }

    struct HTTP: Codable, Equatable {
        var method: String
        var path: String
        var `protocol`: String
        var sourceIp: String
        var userAgent: String
    }

    struct RequestContext: Codable, Equatable {
        var accountId: String
        var apiId: String
        var authorizer: Authorizer?
        var domainName: String
        var domainPrefix: String
        var http: HTTP
        var requestId: String
        var routeKey: String
        var stage: String
        var time: String
        var timeEpoch: Int64
    }

    var version: String
    var routeKey: String
    var rawPath: String
    var rawQueryString: String
    var cookies: [String]?
    var headers: [String: String]
    var queryStringParameters: [String: String]?
    var pathParameters: [String: String]?
    var requestContext: RequestContext
    var stageVariables: [String: String]?
    var body: String?
    var isBase64Encoded: Bool
}

/// What a proxy integration or function URL answers.
struct APIGatewayResponse: Codable, Equatable {
    var statusCode: Int
    var headers: [String: String]?
    var multiValueHeaders: [String: [String]]?
    var cookies: [String]?
    var body: String?
    var isBase64Encoded: Bool?
}

/// SQS, as an event source.
struct SQSEvent: Codable, Equatable {
    struct MessageAttribute: Codable, Equatable {
        var stringValue: String?
        var binaryValue: Data?
        var stringListValues: [String]
        var binaryListValues: [Data]
        var dataType: String
    }

    struct Message: Codable, Equatable {
        var messageId: String
        var receiptHandle: String
        var body: String
        var attributes: [String: String]
        var messageAttributes: [String: MessageAttribute]
        var md5OfMessageAttributes: String?
        var md5OfBody: String
        var eventSource: String
        var eventSourceARN: String
        var awsRegion: String
    }

    var Records: [Message]
}

/// What an SQS-triggered function answers to report partial failures.
struct SQSBatchResponse: Codable, Equatable {
    struct Failure: Codable, Equatable {
        var itemIdentifier: String
    }

    var batchItemFailures: [Failure]
}

/// SNS, as an event source.
struct SNSEvent: Codable, Equatable {
    struct Attribute: Codable, Equatable {
        var `Type`: String
        var Value: String
    }

    struct Message: Codable, Equatable {
        var SignatureVersion: String
        var Timestamp: String
        var Signature: String
        var SigningCertUrl: String
        var MessageId: String
        var Message: String
        var MessageAttributes: [String: Attribute]
        var `Type`: String
        var UnsubscribeUrl: String
        var TopicArn: String
        var Subject: String?
    }

    struct Record: Codable, Equatable {
        var EventVersion: String
        var EventSubscriptionArn: String
        var EventSource: String
        var Sns: Message
    }

    var Records: [Record]
}

/// S3 event notifications.
struct S3Event: Codable, Equatable {
    struct Bucket: Codable, Equatable {
        var name: String
        var ownerIdentity: [String: String]
        var arn: String
    }

    struct Object: Codable, Equatable {
        var key: String
        var size: UInt64?
        var eTag: String?
        var versionId: String?
        var sequencer: String
    }

    struct Entity: Codable, Equatable {
        var s3SchemaVersion: String
        var configurationId: String
        var bucket: Bucket
        var object: Object
    }

    struct Record: Codable, Equatable {
        var eventVersion: String
        var eventSource: String
        var awsRegion: String
        var eventTime: String
        var eventName: String
        var userIdentity: [String: String]
        var requestParameters: [String: String]
        var responseElements: [String: String]
        var s3: Entity
    }

    var Records: [Record]
}
