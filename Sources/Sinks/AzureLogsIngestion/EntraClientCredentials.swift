import Foundation
import SIEMCore

/// An OAuth 2.0 client-credentials token from Microsoft Entra ID, cached and renewed before it
/// expires (learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow).
///
/// The secret goes only into the form body of the token request, never into a URL or a message.
final class EntraClientCredentials: @unchecked Sendable {
    let tokenURL: String
    let clientID: String
    let clientSecret: String
    let scope: String
    let transport: HTTPTransport
    let sink: String
    private let lock = NSLock()
    private var cached: (token: String, renewAt: Date)?

    init(
        tokenURL: String, clientID: String, clientSecret: String, scope: String, transport: HTTPTransport, sink: String
    ) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
        self.transport = transport
        self.sink = sink
    }

    /// A valid token: the cached one until its renewal time, else a new one.
    func token() async throws -> String {
        if let cached = lock.withLock({ self.cached }), cached.renewAt > Date() { return cached.token }
        return try await renew()
    }

    /// Forgets the cached token (after a 401), so the next call fetches a new one.
    func invalidate() { lock.withLock { cached = nil } }

    private func renew() async throws -> String {
        let form = [
            ("grant_type", "client_credentials"), ("client_id", clientID), ("client_secret", clientSecret),
            ("scope", scope),
        ].map { "\($0.0)=\(PercentEncoding.escape($0.1))" }.joined(separator: "&")
        let request = HTTPRequest(
            method: "POST", url: tokenURL, headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(form.utf8))
        let response: HTTPResponse
        do {
            response = try await transport.perform(request)
        } catch let failure as TransportFailure {
            throw SIEMError.delivery(
                sink: sink, message: "token request: \(failure.message)",
                retryable: failure.isRetryable)
        }
        let answer = try? JSONParser.parse(String(decoding: response.body, as: UTF8.self))
        guard response.status == 200, let token = answer?["access_token"]?.stringValue else {
            let reason =
                answer?["error_description"]?.stringValue ?? answer?["error"]?.stringValue ?? response.bodyExcerpt
            throw SIEMError.delivery(
                sink: sink,
                message:
                    "Microsoft Entra ID refused the client credentials (HTTP \(response.status)): \(String(reason.prefix(200)))",
                retryable: RetryPolicy.isRetryable(status: response.status))
        }
        var lifetime = 3_600.0
        switch answer?["expires_in"] {
        case .number(let n)?: lifetime = Double(n) ?? lifetime
        case .string(let s)?: lifetime = Double(s) ?? lifetime
        default: break
        }
        // Renew five minutes early, or at half-life for short-lived tokens.
        let renewAt = Date().addingTimeInterval(max(0, min(lifetime - 300, lifetime / 2)))
        // A token obtained at run time is a credential too: no output may show it.
        OutputRedaction.shared.register(token)
        lock.withLock { cached = (token, renewAt) }
        return token
    }
}
