import SIEMCore

/// Sends a batch as several requests, one per range, in order; when a later request fails after
/// earlier ones were accepted, the failure carries how many records were delivered, so the
/// runner checkpoints exactly those.
enum ChunkedDelivery {
    static func send(
        _ batch: EncodedBatch, in ranges: [Range<Int>], _ post: (Range<Int>) async throws -> Void
    )
        async throws -> Delivery
    {
        var delivered = 0
        for range in ranges {
            do {
                try await post(range)
            } catch let error as SIEMError {
                if delivered > 0 { throw PartialDelivery(Delivery(accepted: delivered), error: error) }
                throw error
            }
            delivered = range.upperBound
        }
        return Delivery(accepted: batch.count)
    }
}

/// One try of a request inside a retry loop: the answer, or a network failure worth retrying.
enum HTTPAttempt {
    case answered(HTTPResponse)
    case failed(reason: String)

    /// Performs `request`; a TLS or other non-retryable failure is thrown as a delivery error.
    static func perform(
        _ request: HTTPRequest, on transport: HTTPTransport, sink: String, redaction: SecretRedaction
    )
        async throws -> HTTPAttempt
    {
        do {
            return .answered(try await transport.perform(request))
        } catch let failure as TransportFailure {
            guard failure.isRetryable else {
                throw SIEMError.delivery(sink: sink, message: redaction.apply(failure.message), retryable: false)
            }
            return .failed(reason: redaction.apply(failure.message))
        }
    }
}

/// RFC 3986 percent-encoding of everything but unreserved characters, for query values and
/// `application/x-www-form-urlencoded` bodies.
enum PercentEncoding {
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "-_.~".contains(c)) {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
