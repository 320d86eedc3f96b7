import Foundation
import Testing

/// The AWS SAM template of the Visits example (`deploy/visits/template.yaml`): cfn-lint
/// passes it, and it deploys what its README builds. cfn-lint is required: `.ci/run`
/// installs it, so its absence is a failure, not a skip.
@Suite struct DeployTemplateTests {
    static let folder = BuildProducts.packageRoot.appendingPathComponent("deploy/visits").path
    static let template = folder + "/template.yaml"

    /// Runs cfn-lint on `path`; fails the test, saying how to install it, when it is missing.
    func cfnLint(_ path: String) throws -> CommandOutcome {
        let version = try? runCommand("/usr/bin/env", ["cfn-lint", "--version"])
        try #require(
            version?.status == 0, "cfn-lint is not installed: python3 -m pip install cfn-lint (.ci/run does)")
        return try runCommand("/usr/bin/env", ["cfn-lint", path])
    }

    @Test func theVisitsTemplatePassesCfnLintWhichRejectsABrokenCopy() throws {
        let outcome = try cfnLint(Self.template)
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        // cfn-lint does reject a wrong template: a function with a misspelt property, a
        // policy on a resource that does not exist.
        let text = try String(contentsOfFile: Self.template, encoding: .utf8)
        let folder = try TemporaryFolder()
        for (original, broken) in [
            ("Handler: libVisits.so", "Handlr: libVisits.so"), ("!GetAtt VisitsTable.Arn", "!GetAtt VisitTable.Arn"),
        ] {
            #expect(text.contains(original))
            try text.replacingOccurrences(of: original, with: broken)
                .write(toFile: folder.path + "/broken.yaml", atomically: true, encoding: .utf8)
            #expect(try cfnLint(folder.path + "/broken.yaml").status != 0, "\(broken)")
        }
    }

    @Test func theTemplateRunsLibVisitsOnTheLayerWithUpdateItemOnItsTableOnly() throws {
        let text = try String(contentsOfFile: Self.template, encoding: .utf8)
        for line in [
            "Runtime: provided.al2023", "Handler: libVisits.so", "CodeUri: ../../dist/visits.zip", "- !Ref LayerArn",
            "VISITS_TABLE: !Ref VisitsTable", "Action: dynamodb:UpdateItem", "Resource: !GetAtt VisitsTable.Arn",
            "BillingMode: PAY_PER_REQUEST", "AttributeType: S",
        ] {
            #expect(text.contains(line), "the template lacks \(line)")
        }
        #expect(!text.contains("dynamodb:*") && !text.contains("DynamoDBCrudPolicy"))
        // The README builds the zip that CodeUri names, relative to the repository.
        let readme = try String(contentsOfFile: Self.folder + "/README.md", encoding: .utf8)
        #expect(readme.contains("--plugin .build/release/libVisits.so --output dist/visits.zip"))
        #expect(readme.contains("sam deploy --guided --template-file deploy/visits/template.yaml"))
    }
}
