import LambdaOutbound
import Testing

/// The X-Ray trace header parser: Lambda's form and its variations, and the values that
/// must not reach X-Ray.
@Suite struct XRayTraceHeaderTests {
    static let root = "1-5759e988-bd862e3fe1be46a994272793"
    static let parent = "53995c3f42cd8ad8"

    @Test(arguments: [
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", true, true),
        ("Parent=53995c3f42cd8ad8;Sampled=1;Root=1-5759e988-bd862e3fe1be46a994272793", true, true),
        ("Sampled=1;Lineage=a87bd80c:1|68fd508a:5;Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", true, true),
        (" Root = 1-5759e988-bd862e3fe1be46a994272793 ;\tParent=53995c3f42cd8ad8\t; Sampled= 1 ;", true, true),
        ("root=1-5759e988-bd862e3fe1be46a994272793;PARENT=53995c3f42cd8ad8;sampled=1;;", true, true),
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0", true, false),
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?", true, false),
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=11", true, false),
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", true, false),
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", false, true),
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Self=1-67891234-12456789abcdef012345678;Custom=x=y", true, true),
    ])
    func validHeadersParse(value: String, hasParent: Bool, sampled: Bool) throws {
        let header = try #require(XRayTraceHeader(value))
        #expect(header.root == Self.root)
        #expect(header.parent == (hasParent ? Self.parent : nil))
        #expect(header.sampled == sampled)
        // The same from bytes, both ways the host may hold them.
        let bytes = Array(value.utf8)
        #expect(XRayTraceHeader(bytes) == header)
        #expect(bytes.withUnsafeBytes { XRayTraceHeader($0) } == header)
    }

    @Test(arguments: [
        "",
        ";;",
        "Parent=53995c3f42cd8ad8;Sampled=1",
        "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "Root=1-5759E988-bd862e3fe1be46a994272793;Sampled=1",
        "Root=1-5759e988-bd862e3fe1be46a99427279;Sampled=1",
        "Root=1-5759e988-bd862e3fe1be46a9942727930;Sampled=1",
        "Root=1-5759e98-8bd862e3fe1be46a994272793;Sampled=1",
        "Root=1_5759e988-bd862e3fe1be46a994272793;Sampled=1",
        "Root=1-5759e988-bd862e3fe1be46a99427279g;Sampled=1",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad;Sampled=1",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8a;Sampled=1",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8adx;Sampled=1",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=;Sampled=1",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Root=1-5759e988-bd862e3fe1be46a994272794",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Parent=53995c3f42cd8ad9",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1;Sampled=0",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled",
        "1-5759e988-bd862e3fe1be46a994272793",
        "Root=1-5759e988-bd862e3fe1be46a994272793\r\nX: y;Sampled=1",
        "Root=1-5759e988-bd862e3fe1be46a994272793\u{0};Sampled=1",
        "Root=\"1-5759e988-bd862e3fe1be46a994272793\";Sampled=1",
    ])
    func invalidHeadersGiveNil(value: String) {
        #expect(XRayTraceHeader(value) == nil)
        #expect(XRayTraceHeader(Array(value.utf8)) == nil)
    }
}
