/// Sample events for `lambda-host event`, one for each event source a function is most
/// often wired to. Written here from the shapes AWS documents for each source (the field
/// names, their kinds, which are present), with values of our own: a developer edits one
/// and pipes it to `lambda-host invoke --event-file -`. Each is valid JSON; the tests
/// decode each with the event shapes the JSON tests use.
enum EventSamples {
    /// A sample: its name on the command line, one line of what it is, and the JSON.
    struct Sample {
        var kind: String
        var summary: String
        var json: String
    }

    static let all: [Sample] = [
        Sample(kind: "apigateway-v1", summary: "API Gateway REST API, proxy integration (payload format 1.0)", json: apiGatewayV1),
        Sample(kind: "apigateway-v2", summary: "API Gateway HTTP API (payload format 2.0)", json: apiGatewayV2),
        Sample(kind: "function-url", summary: "Lambda function URL (payload format 2.0, routeKey $default)", json: functionURL),
        Sample(kind: "sqs", summary: "SQS queue as an event source: a batch of one message", json: sqs),
        Sample(kind: "sns", summary: "SNS topic notification", json: sns),
        Sample(kind: "s3", summary: "S3 event notification: an object created (PUT)", json: s3),
        Sample(kind: "dynamodb-stream", summary: "DynamoDB Streams: an item modified, new and old images", json: dynamoDBStream),
        Sample(kind: "eventbridge", summary: "EventBridge event (an EC2 instance state change)", json: eventBridge),
        Sample(kind: "kinesis", summary: "Kinesis Data Streams: a batch of one record, data in base64", json: kinesis),
    ]

    static func named(_ kind: String) -> Sample? { all.first { $0.kind == kind } }

    static let apiGatewayV1 = #"""
        {
          "resource": "/orders/{orderId}",
          "path": "/orders/A-1042",
          "httpMethod": "POST",
          "headers": {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Host": "k3v9w2x7qd.execute-api.us-east-1.amazonaws.com",
            "User-Agent": "curl/8.5.0",
            "X-Amzn-Trace-Id": "Root=1-6750a1b2-3c4d5e6f708192a3b4c5d6e7",
            "X-Forwarded-For": "198.51.100.23",
            "X-Forwarded-Port": "443",
            "X-Forwarded-Proto": "https"
          },
          "multiValueHeaders": {
            "Accept": ["application/json"],
            "Content-Type": ["application/json"],
            "Host": ["k3v9w2x7qd.execute-api.us-east-1.amazonaws.com"],
            "User-Agent": ["curl/8.5.0"],
            "X-Amzn-Trace-Id": ["Root=1-6750a1b2-3c4d5e6f708192a3b4c5d6e7"],
            "X-Forwarded-For": ["198.51.100.23"],
            "X-Forwarded-Port": ["443"],
            "X-Forwarded-Proto": ["https"]
          },
          "queryStringParameters": {"notify": "email"},
          "multiValueQueryStringParameters": {"notify": ["email"]},
          "pathParameters": {"orderId": "A-1042"},
          "stageVariables": {"tableName": "orders-prod"},
          "requestContext": {
            "accountId": "483920175634",
            "apiId": "k3v9w2x7qd",
            "domainName": "k3v9w2x7qd.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "k3v9w2x7qd",
            "extendedRequestId": "Qx7pKFzeIAMEbWg=",
            "httpMethod": "POST",
            "identity": {
              "accessKey": null,
              "accountId": null,
              "caller": null,
              "cognitoAuthenticationProvider": null,
              "cognitoAuthenticationType": null,
              "cognitoIdentityId": null,
              "cognitoIdentityPoolId": null,
              "principalOrgId": null,
              "sourceIp": "198.51.100.23",
              "user": null,
              "userAgent": "curl/8.5.0",
              "userArn": null
            },
            "path": "/prod/orders/A-1042",
            "protocol": "HTTP/1.1",
            "requestId": "5f2c8a31-9d4e-4b7a-a1c6-0e93b27d4f18",
            "requestTime": "03/Dec/2026:09:41:27 +0000",
            "requestTimeEpoch": 1796204487512,
            "resourceId": "x8c2mq",
            "resourcePath": "/orders/{orderId}",
            "stage": "prod"
          },
          "body": "{\"quantity\":2,\"sku\":\"TEA-ASSAM-250\"}",
          "isBase64Encoded": false
        }
        """#

    static let apiGatewayV2 = #"""
        {
          "version": "2.0",
          "routeKey": "GET /hello/{name}",
          "rawPath": "/hello/Ada",
          "rawQueryString": "lang=en&lang=fr&verbose=1",
          "cookies": ["session=7d1e4c9a", "theme=dark"],
          "headers": {
            "accept": "application/json",
            "content-length": "0",
            "host": "p4n8r2t6zb.execute-api.eu-west-1.amazonaws.com",
            "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "x-amzn-trace-id": "Root=1-6750a3c4-1a2b3c4d5e6f708192a3b4c5",
            "x-forwarded-for": "203.0.113.77",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https"
          },
          "queryStringParameters": {"lang": "en,fr", "verbose": "1"},
          "pathParameters": {"name": "Ada"},
          "requestContext": {
            "accountId": "483920175634",
            "apiId": "p4n8r2t6zb",
            "authorizer": {
              "jwt": {
                "claims": {"sub": "c1f0a9e2-55b7-4a8e-9d13-6b2e7f40a1d5", "iss": "https://auth.example.org", "scope": "greetings/read"},
                "scopes": ["greetings/read"]
              }
            },
            "domainName": "p4n8r2t6zb.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "p4n8r2t6zb",
            "http": {
              "method": "GET",
              "path": "/hello/Ada",
              "protocol": "HTTP/1.1",
              "sourceIp": "203.0.113.77",
              "userAgent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
            },
            "requestId": "Qx9sTj2DoAMEc4Q=",
            "routeKey": "GET /hello/{name}",
            "stage": "$default",
            "time": "03/Dec/2026:09:45:02 +0000",
            "timeEpoch": 1796204702233
          },
          "isBase64Encoded": false
        }
        """#

    static let functionURL = #"""
        {
          "version": "2.0",
          "routeKey": "$default",
          "rawPath": "/webhooks/payments",
          "rawQueryString": "source=stripe",
          "headers": {
            "content-type": "application/json",
            "host": "v5yq3lzk7c2hx4mfnr8wetb6du0gjapo.lambda-url.us-east-1.on.aws",
            "user-agent": "Payments-Webhook/1.0",
            "x-amzn-tls-cipher-suite": "TLS_AES_128_GCM_SHA256",
            "x-amzn-tls-version": "TLSv1.3",
            "x-amzn-trace-id": "Root=1-6750a51e-9f8e7d6c5b4a39281706f5e4",
            "x-forwarded-for": "192.0.2.140",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https"
          },
          "queryStringParameters": {"source": "stripe"},
          "requestContext": {
            "accountId": "anonymous",
            "apiId": "v5yq3lzk7c2hx4mfnr8wetb6du0gjapo",
            "domainName": "v5yq3lzk7c2hx4mfnr8wetb6du0gjapo.lambda-url.us-east-1.on.aws",
            "domainPrefix": "v5yq3lzk7c2hx4mfnr8wetb6du0gjapo",
            "http": {
              "method": "POST",
              "path": "/webhooks/payments",
              "protocol": "HTTP/1.1",
              "sourceIp": "192.0.2.140",
              "userAgent": "Payments-Webhook/1.0"
            },
            "requestId": "0b7d3e58-2a61-4f9c-8e05-d4c1a7b93f26",
            "routeKey": "$default",
            "stage": "$default",
            "time": "03/Dec/2026:09:50:14 +0000",
            "timeEpoch": 1796205014871
          },
          "body": "eyJldmVudCI6InBheW1lbnQuc3VjY2VlZGVkIiwiYW1vdW50IjoxOTk5fQ==",
          "isBase64Encoded": true
        }
        """#

    static let sqs = #"""
        {
          "Records": [
            {
              "messageId": "4e1c7a2f-93b8-4d06-b5e1-8f2a6c9d0e37",
              "receiptHandle": "AQEB3kq9Zt2Xc7Lw1Rj8Vn0Pd5Hs6Mf4Gy2Ua9Ke3Ob7Ti1Wl5Qz8Cx0Np6Ev2Ar4Bm9Sd7Fh3Jg1Ku5Io8Ly0",
              "body": "{\"orderId\":\"A-1042\",\"status\":\"paid\"}",
              "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1796205290412",
                "SenderId": "AROAXM3QZ7EXAMPLEID:order-service",
                "ApproximateFirstReceiveTimestamp": "1796205290419"
              },
              "messageAttributes": {
                "tenant": {
                  "stringValue": "acme",
                  "stringListValues": [],
                  "binaryListValues": [],
                  "dataType": "String"
                }
              },
              "md5OfMessageAttributes": "0c9a7b1e2d3f4a5b6c7d8e9f0a1b2c3d",
              "md5OfBody": "9b8e1f0c2a7d4e6b3c5a8f1d0e2b4c6a",
              "eventSource": "aws:sqs",
              "eventSourceARN": "arn:aws:sqs:us-east-1:483920175634:order-events",
              "awsRegion": "us-east-1"
            }
          ]
        }
        """#

    static let sns = #"""
        {
          "Records": [
            {
              "EventVersion": "1.0",
              "EventSubscriptionArn": "arn:aws:sns:us-east-1:483920175634:price-alerts:2b6f1c8e-0d4a-47e3-9a51-c7e2f8b3d690",
              "EventSource": "aws:sns",
              "Sns": {
                "SignatureVersion": "1",
                "Timestamp": "2026-12-03T09:57:31.208Z",
                "Signature": "Zm9yIGxvY2FsIHRlc3RzIG9ubHk7IG5vdCBhIHJlYWwgc2lnbmF0dXJl",
                "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
                "MessageId": "a3d9e6f1-7c2b-5e48-b0a4-91f8c3d7e2b5",
                "Message": "{\"symbol\":\"ACME\",\"price\":41.17,\"threshold\":40}",
                "MessageAttributes": {
                  "severity": {"Type": "String", "Value": "warning"}
                },
                "Type": "Notification",
                "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:483920175634:price-alerts:2b6f1c8e-0d4a-47e3-9a51-c7e2f8b3d690",
                "TopicArn": "arn:aws:sns:us-east-1:483920175634:price-alerts",
                "Subject": "Price above threshold"
              }
            }
          ]
        }
        """#

    static let s3 = #"""
        {
          "Records": [
            {
              "eventVersion": "2.1",
              "eventSource": "aws:s3",
              "awsRegion": "eu-central-1",
              "eventTime": "2026-12-03T10:02:48.731Z",
              "eventName": "ObjectCreated:Put",
              "userIdentity": {"principalId": "AWS:AIDAXM3QZ7UPLOADER"},
              "requestParameters": {"sourceIPAddress": "198.51.100.61"},
              "responseElements": {
                "x-amz-request-id": "7H2K9QD4M1XZ8B6C",
                "x-amz-id-2": "c2FtcGxlIGV4dGVuZGVkIHJlcXVlc3QgaWQgZm9yIGxvY2FsIHRlc3Rz"
              },
              "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": "thumbnails-on-upload",
                "bucket": {
                  "name": "photo-uploads-483920175634",
                  "ownerIdentity": {"principalId": "A2QX8V7EXAMPLE"},
                  "arn": "arn:aws:s3:::photo-uploads-483920175634"
                },
                "object": {
                  "key": "users/ada/2026/holiday+photo.jpg",
                  "size": 2481377,
                  "eTag": "5d41402abc4b2a76b9719d911017c592",
                  "versionId": "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
                  "sequencer": "00675ED7B8C2A41F3E"
                }
              }
            }
          ]
        }
        """#

    static let dynamoDBStream = #"""
        {
          "Records": [
            {
              "eventID": "8f3c1a7e2b9d4065a1e7c3b5d9f20846",
              "eventName": "MODIFY",
              "eventVersion": "1.1",
              "eventSource": "aws:dynamodb",
              "awsRegion": "us-west-2",
              "dynamodb": {
                "ApproximateCreationDateTime": 1796205812,
                "Keys": {
                  "pk": {"S": "CUSTOMER#ada"},
                  "sk": {"S": "PROFILE"}
                },
                "NewImage": {
                  "pk": {"S": "CUSTOMER#ada"},
                  "sk": {"S": "PROFILE"},
                  "email": {"S": "ada@example.org"},
                  "visits": {"N": "43"},
                  "verified": {"BOOL": true},
                  "tags": {"SS": ["beta", "newsletter"]}
                },
                "OldImage": {
                  "pk": {"S": "CUSTOMER#ada"},
                  "sk": {"S": "PROFILE"},
                  "email": {"S": "ada@example.org"},
                  "visits": {"N": "42"},
                  "verified": {"BOOL": false},
                  "tags": {"SS": ["beta"]}
                },
                "SequenceNumber": "730000000000012345678901",
                "SizeBytes": 214,
                "StreamViewType": "NEW_AND_OLD_IMAGES"
              },
              "eventSourceARN": "arn:aws:dynamodb:us-west-2:483920175634:table/customers/stream/2026-11-20T08:15:42.117"
            }
          ]
        }
        """#

    static let eventBridge = #"""
        {
          "version": "0",
          "id": "c4a7e1d9-3b62-8f05-e2d1-7a9b4c6f0e38",
          "detail-type": "EC2 Instance State-change Notification",
          "source": "aws.ec2",
          "account": "483920175634",
          "time": "2026-12-03T10:08:55Z",
          "region": "ap-southeast-2",
          "resources": ["arn:aws:ec2:ap-southeast-2:483920175634:instance/i-0a7c3e9f1b2d4c658"],
          "detail": {
            "instance-id": "i-0a7c3e9f1b2d4c658",
            "state": "stopped"
          }
        }
        """#

    static let kinesis = #"""
        {
          "Records": [
            {
              "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": "sensor-17",
                "sequenceNumber": "49658271930481726354019283746501928374650192837465",
                "data": "eyJzZW5zb3IiOiJzZW5zb3ItMTciLCJ0ZW1wQyI6MjEuNH0=",
                "approximateArrivalTimestamp": 1796206221.583
              },
              "eventSource": "aws:kinesis",
              "eventVersion": "1.0",
              "eventID": "shardId-000000000002:49658271930481726354019283746501928374650192837465",
              "eventName": "aws:kinesis:record",
              "invokeIdentityArn": "arn:aws:iam::483920175634:role/telemetry-consumer",
              "awsRegion": "eu-west-2",
              "eventSourceARN": "arn:aws:kinesis:eu-west-2:483920175634:stream/sensor-readings"
            }
          ]
        }
        """#
}
