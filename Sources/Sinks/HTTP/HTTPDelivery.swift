import SIEMCore

/// The one way every HTTP sink sends a request: the body compressed when configured, the POST,
/// the sink's own reading of the answer (`classify`), and retries with back-off and
/// `Retry-After` for what it calls transient. A sink supplies only what differs: the URL, the
/// headers, the body and the classifier.
struct HTTPDelivery: Sendable {
    /// The pipeline, for messages.
    let sink: String
    let transport: HTTPTransport
    let options: HTTPClientOptions

    /// What a sink makes of one answer.
    enum Verdict<T: Sendable>: Sendable {
        case accepted(T)
        /// Transient: the same request again after back-off, or after `retryAfter` seconds.
        case retry(String, retryAfter: Double?)
        /// Refused for good because of what the request carries (invalid data, too large):
        /// `RecordDelivery` splits it until the record at fault stands alone.
        case refused(String)
    }

    /// What a request came to once no retry was left to try.
    enum Answer<T: Sendable>: Sendable {
        case accepted(T)
        case refused(String)
    }

    /// POSTs `body` to `url` until `classify` accepts or refuses an answer. Network failures and
    /// `.retry` verdicts are retried; `headers` is asked anew for each attempt (a fresh token or
    /// signature; it gets the length of the body as sent). A classifier throws for an answer that
    /// stops the pipeline (credentials refused, a redirect, the receiver misconfigured).
    func post<T: Sendable>(
        _ body: [UInt8], to url: String, contentType: String,
        headers: (_ sentLength: Int) async throws -> [(name: String, value: String)] = { _ in [] },
        classify: (HTTPResponse) async throws -> Verdict<T>
    ) async throws -> Answer<T> {
        var sent = body
        var fixed: [(name: String, value: String)] = [("Content-Type", contentType)]
        if options.compression == .gzip {
            sent = Gzip.compress(body)
            fixed.append(("Content-Encoding", "gzip"))
        }
        return try await options.retry.policy.run(sink: sink) { _ -> RetryPolicy.Outcome<Answer<T>> in
            let request = HTTPRequest(
                method: "POST", url: url, headers: fixed + (try await headers(sent.count)), body: sent)
            let response: HTTPResponse
            do {
                response = try await transport.perform(request)
            } catch let failure as TransportFailure {
                guard failure.isRetryable else {
                    throw SIEMError.delivery(sink: sink, message: failure.message, retryable: false)
                }
                return .retry(reason: failure.message, retryAfter: nil)
            }
            switch try await classify(response) {
            case .accepted(let value): return .done(.accepted(value))
            case .refused(let reason): return .done(.refused(reason))
            case .retry(let reason, let after): return .retry(reason: reason, retryAfter: after)
            }
        }
    }

    /// One request without retries (start-up checks).
    func once(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            return try await transport.perform(request)
        } catch let failure as TransportFailure {
            throw SIEMError.delivery(sink: sink, message: failure.message, retryable: failure.isRetryable)
        }
    }

    /// How most receivers answer: 2xx taken; `refusing` statuses (413 Content Too Large, and for
    /// a collector of events 400 and 422) refused for what the request carries; 408, 429 and 5xx
    /// transient, after `Retry-After` when given; anything else (a redirect, 401, 403, 404) stops
    /// the pipeline, because it concerns every event.
    func standardVerdict<T: Sendable>(
        _ response: HTTPResponse, from destination: String, refusing: Set<Int> = [413], accepted: T
    ) throws -> Verdict<T> {
        let status = response.status
        if (200...299).contains(status) { return .accepted(accepted) }
        let message = Self.describe(response, from: destination)
        if refusing.contains(status) { return .refused(message) }
        if RetryPolicy.isRetryable(status: status) {
            return .retry(message, retryAfter: RetryPolicy.retryAfter(response))
        }
        throw SIEMError.delivery(sink: sink, message: message, retryable: false)
    }

    /// `HTTP 403 from https://host/path: <excerpt of the answer>`; a redirect names where it
    /// points (we never follow one: the URL should be changed instead).
    static func describe(_ response: HTTPResponse, from destination: String) -> String {
        var message = "HTTP \(response.status) from \(destination)"
        if (300...399).contains(response.status), let location = response.header("Location") {
            message += " redirects to \(HTTPRequest.describe(url: location)); set the URL to where it points"
        }
        let excerpt = response.bodyExcerpt
        return excerpt.isEmpty ? message : message + ": " + excerpt
    }
}
