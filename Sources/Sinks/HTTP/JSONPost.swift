import SIEMCore

/// One POST of a collector's body, the way the generic sinks (`http`, `otlp_http`) send it: the
/// content type, gzip when configured, the configured headers (sorted, so requests are
/// reproducible), and retries with back-off for connection failures and the statuses
/// `isRetryable` names. A 2xx answer is handed to `accept`, which may still refuse it by throwing.
struct JSONPost {
    let sink: String
    let destination: String
    let transport: HTTPTransport
    let redaction: SecretRedaction
    let options: HTTPClientOptions
    let headers: [String: String]

    func send(
        _ json: [UInt8], contentType: String, to url: String,
        isRetryable: (Int) -> Bool = RetryPolicy.isRetryable(status:),
        accept: (HTTPResponse) throws -> Void = { _ in }
    ) async throws {
        var requestHeaders: [(name: String, value: String)] = [("Content-Type", contentType)]
        var body = json
        if options.compression == .gzip {
            body = Gzip.compress(json)
            requestHeaders.append(("Content-Encoding", "gzip"))
        }
        requestHeaders += headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let request = HTTPRequest(method: "POST", url: url, headers: requestHeaders, body: body)
        try await options.retry.policy.run(sink: sink) { _ -> RetryPolicy.Outcome<Void> in
            let response: HTTPResponse
            switch try await HTTPAttempt.perform(request, on: transport, sink: sink, redaction: redaction) {
            case .failed(let reason): return .retry(reason: reason, retryAfter: nil)
            case .answered(let answer): response = answer
            }
            if (200...299).contains(response.status) {
                try accept(response)
                return .done(())
            }
            let message = "HTTP \(response.status) from \(destination): \(redaction.apply(response.bodyExcerpt))"
            if isRetryable(response.status) {
                return .retry(reason: message, retryAfter: RetryPolicy.retryAfter(response))
            }
            throw SIEMError.delivery(sink: sink, message: message, retryable: false)
        }
    }
}
