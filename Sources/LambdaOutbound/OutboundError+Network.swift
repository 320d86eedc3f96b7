import CLambdaOutbound

extension OutboundError {
    /// The code for an `LH_NET_*` value of `CLambdaOutbound`.
    static func code(network: Int32) -> Code {
        switch Int(network) {
        case LH_NET_DNS: .dns
        case LH_NET_REFUSED: .refused
        case LH_NET_CONNECT: .connect
        case LH_NET_TIMEOUT: .timeout
        case LH_NET_TLS_UNAVAILABLE: .tlsUnavailable
        case LH_NET_TLS_VERIFY: .tlsVerify
        case LH_NET_TLS_HANDSHAKE: .tls
        case LH_NET_RESET: .reset
        case LH_NET_CLOSED: .closed
        default: .io
        }
    }

    /// A failure to reach `origin` (resolving, connecting, the TLS handshake): nothing
    /// was sent.
    static func notSent(network: Int32, origin: Origin, detail: String) -> OutboundError {
        OutboundError(code(network: network), sent: false, "not sent: cannot connect to \(origin): \(detail)")
    }
}
