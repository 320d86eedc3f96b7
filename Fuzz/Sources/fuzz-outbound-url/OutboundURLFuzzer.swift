import FuzzCheck

@testable import LambdaOutbound
@testable import LambdaRuntimeAPI

/// Fuzzes what a plugin's request and the allow-list setting reach: `OutboundURL.parse`,
/// `Origin.parse`, `AllowList(parsing:)` and `HTTPRequestWriter.write`.
///
/// Input: a byte of settings (bit 0: a trace id is given; bits 1-2: the body length),
/// then parts separated by the byte 0xFE: the URL (also parsed as an origin and as an
/// allow-list), the method, the trace id, then header names and values in turn.
///
/// Properties: an accepted URL's target starts with `/` and has only bytes 0x21...0x7E;
/// `scheme://hostHeader + target` parses again to the same URL; an origin's description
/// parses again to it, and an allow-list of it allows it (a wildcard one allows names
/// below it, never the name itself). An error is `.invalidRequest`, not sent, and never
/// carries credentials (`SECRETPW@` before the path) or a query. The writer accepts
/// exactly the requests a plain second check accepts, and writes exactly the expected
/// head: its CRs and LFs are the CRLFs that end its lines, no more.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size >= 1, let data else { return 0 }
    let settings = data[0]
    let input = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let parts = input.split(separator: 0xFE, omittingEmptySubsequences: false).map { Array($0) }
    let urlBytes = parts[0]
    let text = String(decoding: urlBytes, as: UTF8.self)
    let secret = secretIn(urlBytes)

    let url: OutboundURL?
    do {
        url = try urlBytes.withUnsafeBufferPointer { try OutboundURL.parse($0) }
    } catch let error as OutboundError {
        refused(error, secret: secret)
        url = nil
    } catch {
        require(false, "OutboundURL.parse threw \(error)")
        url = nil
    }
    if let url { checkURL(url, bytes: urlBytes) }
    if Array(text.utf8) == urlBytes {
        let again = try? OutboundURL.parse(text)
        require(again.map(summary) == url.map(summary), "the URL as text parses to \(String(describing: again.map(summary)))")
    }
    if let secret {
        require(!contains(Array(OutboundURL.redacted(text).utf8), secret), "redacted keeps the credentials")
    }
    checkOrigin(text, url: url, secret: secret)
    do throws(OutboundError) {
        _ = try AllowList(parsing: text)
    } catch {
        refused(error, secret: secret)
    }
    if let url { checkWriter(url: url, parts: parts, settings: settings) }
    return 0
}

private func summary(_ url: OutboundURL) -> [String] {
    [url.origin.description, url.target, url.hostHeader]
}

private func checkURL(_ url: OutboundURL, bytes: [UInt8]) {
    let target = Array(url.target.utf8)
    require(target.first == 47, "the target \(url.target.debugDescription) does not start with '/'")
    require(target.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "the target \(url.target.debugDescription) has a space, control or non-ASCII byte")
    require(!target.contains(35), "the target keeps the fragment")
    let host = Array(url.origin.host.utf8)
    require(!host.isEmpty && !host.contains { $0 >= 65 && $0 <= 90 }, "the host \(url.origin.host.debugDescription) is empty or not lower-case")
    require(url.origin.port >= 1, "port 0")
    let header = Array(url.hostHeader.utf8)
    require(
        header.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 47 && $0 != 64 && $0 != 63 && $0 != 35 },
        "the Host header \(url.hostHeader.debugDescription) has a byte an authority cannot")
    let rebuilt = url.origin.scheme.rawValue + "://" + url.hostHeader + url.target
    do {
        let again = try OutboundURL.parse(rebuilt)
        require(again.origin == url.origin, "\(rebuilt) parses to origin \(again.origin), not \(url.origin)")
        require(again.target == url.target && again.hostHeader == url.hostHeader, "\(rebuilt) parses to other parts")
    } catch {
        require(false, "\(rebuilt) is refused: \(error)")
    }
    // The origin that the URL names: its description parses back, and an allow-list of it allows it.
    let origin = url.origin
    require((try? Origin.parse(origin.description)) == origin, "\(origin) does not parse back")
    do {
        let list = try AllowList(parsing: origin.description + ", http://other.invalid:1")
        require(list.restricts && list.allows(origin), "an allow-list of \(origin) refuses it")
        let otherPort = Origin(scheme: origin.scheme, host: origin.host, port: origin.port == 1 ? 2 : 1)
        require(!list.allows(otherPort), "an allow-list of \(origin) allows \(otherPort)")
        if !origin.isIPv6 {
            let wildcard = try AllowList(parsing: "\(origin.scheme.rawValue)://*.\(origin.host):\(origin.port)")
            require(!wildcard.allows(origin), "*.\(origin.host) allows the apex")
            let below = Origin(scheme: origin.scheme, host: "a." + origin.host, port: origin.port)
            require(wildcard.allows(below), "*.\(origin.host) refuses \(below.host)")
            let sibling = Origin(scheme: origin.scheme, host: "a" + origin.host, port: origin.port)
            require(!wildcard.allows(sibling), "*.\(origin.host) allows \(sibling.host)")
        }
    } catch {
        require(false, "an allow-list of \(origin) is refused: \(error)")
    }
}

private func checkOrigin(_ text: String, url: OutboundURL?, secret: [UInt8]?) {
    let origin: Origin
    do throws(OutboundError) {
        origin = try Origin.parse(text)
    } catch {
        refused(error, secret: secret)
        return
    }
    require((try? Origin.parse(origin.description)) == origin, "\(origin) does not parse back")
    require(url?.origin == origin && url?.target == "/", "origin \(origin), but the URL parses to \(String(describing: url.map(summary)))")
    do {
        let list = try AllowList(parsing: text)
        require(list.restricts && list.allows(origin), "the allow-list \(text.debugDescription) refuses \(origin)")
    } catch {
        require(false, "the origin \(text.debugDescription) is refused as an allow-list: \(error)")
    }
}

/// The checks of an error: refused before sending, with a message free of secrets.
private func refused(_ error: OutboundError, secret: [UInt8]?) {
    require(error.code == .invalidRequest && !error.sent, "refused with \(error.code), sent \(error.sent)")
    require(!error.message.isEmpty, "an error without a message")
    if let secret { require(!contains(Array(error.message.utf8), secret), "the message carries the credentials: \(error.message)") }
}

/// `SECRETPW` when the URL has it once, right before an `@`, and before the path, query or
/// fragment (the third `/`, `?` or `#`): where credentials would be.
private func secretIn(_ bytes: [UInt8]) -> [UInt8]? {
    let secret = Array("SECRETPW".utf8)
    var slashes = 0
    var end = bytes.count
    for (i, c) in bytes.enumerated() {
        if c == 47 { slashes += 1 }
        if slashes >= 3 || c == 63 || c == 35 { end = i; break }
    }
    let at = Array(bytes[..<end])
    guard contains(at, secret + [64]), occurrences(of: secret, in: bytes) == 1 else { return nil }
    return secret
}

private func contains(_ bytes: [UInt8], _ part: [UInt8]) -> Bool { occurrences(of: part, in: bytes) > 0 }

private func occurrences(of part: [UInt8], in bytes: [UInt8]) -> Int {
    guard bytes.count >= part.count else { return 0 }
    return (0...(bytes.count - part.count)).count { bytes[$0..<$0 + part.count].elementsEqual(part) }
}
