import LambdaOutbound
import Testing

/// Credentials and endpoints from the environment, as Lambda and the AWS SDKs set them.
@Suite struct AWSSettingsTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    @Test func credentialsComeFromLambdasVariables() throws {
        let values = ["AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_SESSION_TOKEN": "token-value"]
        let credentials = try AWSCredentials.fromEnvironment { values[$0] }
        #expect(credentials.accessKeyId == "ASIAEXAMPLE")
        #expect(credentials.secretAccessKey == Self.secret)
        #expect(credentials.sessionToken == "token-value")
        #expect(!"\(credentials)".contains(Self.secret) && !"\(credentials)".contains("token-value"))
        let long = try AWSCredentials.fromEnvironment { ["AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.secret][$0] }
        #expect(long.sessionToken == nil)
    }

    @Test(arguments: [
        ([String: String](), "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"),
        (["AWS_ACCESS_KEY_ID": "AKIAEXAMPLE"], "AWS_SECRET_ACCESS_KEY is not set"),
        (["AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "t"], "AWS_ACCESS_KEY_ID is not set"),
        (["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": secret], "AWS_ACCESS_KEY_ID is not set"),
    ])
    func missingCredentialsNameTheVariablesAndNoValue(values: [String: String], message: String) {
        #expect {
            _ = try AWSCredentials.fromEnvironment { values[$0] }
        } throws: { error in
            guard let error = error as? SigV4Error else { return false }
            return error.code == .missingCredentials && error.message.contains(message)
                && error.message.contains("looked at AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN")
                && !error.description.contains(Self.secret)
        }
    }

    @Test(arguments: [
        ("dynamodb", "us-east-1", [String: String](), "https://dynamodb.us-east-1.amazonaws.com", false),
        ("s3", "eu-west-3", [:], "https://s3.eu-west-3.amazonaws.com", false),
        ("sqs", "cn-north-1", [:], "https://sqs.cn-north-1.amazonaws.com.cn", false),
        ("dynamodb", "us-east-1", ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000/"], "http://127.0.0.1:5000", true),
        (
            "dynamodb", "us-east-1",
            ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_DYNAMODB": "http://localhost:8000/ddb"],
            "http://localhost:8000/ddb", true
        ),
        ("s3", "us-east-1", ["AWS_ENDPOINT_URL_DYNAMODB": "http://localhost:8000"], "https://s3.us-east-1.amazonaws.com", false),
        (
            "resource-groups", "us-east-1", ["AWS_ENDPOINT_URL_RESOURCE_GROUPS": "http://localhost:9000"],
            "http://localhost:9000", true
        ),
        (
            "dynamodb", "us-east-1", ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE"],
            "https://dynamodb.us-east-1.amazonaws.com", false
        ),
    ])
    func endpointsFollowTheSDKsOrder(service: String, region: String, values: [String: String], url: String, overridden: Bool)
        throws
    {
        let endpoint = try AWSEndpoint.resolve(service: service, region: region) { values[$0] }
        #expect(endpoint.url == url)
        #expect(endpoint.overridden == overridden)
    }

    @Test(arguments: [
        ("DynamoDB", "us-east-1", [String: String](), "the service 'DynamoDB'"),
        ("dynamodb", "us east 1", [:], "the region 'us east 1'"),
        ("dynamodb", "", [:], "the region ''"),
        ("dynamodb", "us-east-1", ["AWS_ENDPOINT_URL": "localhost:8000"], "AWS_ENDPOINT_URL is not a usable endpoint"),
        ("dynamodb", "us-east-1", ["AWS_ENDPOINT_URL_DYNAMODB": "ftp://h"], "AWS_ENDPOINT_URL_DYNAMODB is not a usable endpoint"),
        ("dynamodb", "us-east-1", ["AWS_ENDPOINT_URL": "http://h/?x=1"], "AWS_ENDPOINT_URL has a query"),
    ])
    func unusableSettingsAreRefusedNamingThem(service: String, region: String, values: [String: String], message: String) {
        #expect {
            _ = try AWSEndpoint.resolve(service: service, region: region) { values[$0] }
        } throws: { error in
            guard let error = error as? SigV4Error else { return false }
            let code: SigV4Error.Code = values.isEmpty ? .invalidEndpoint : .invalidEndpointSetting
            return error.code == code && error.message.contains(message)
        }
    }
}
