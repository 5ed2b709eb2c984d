import CCurl
import Dispatch
import Foundation
import SIEMCore

#if canImport(Glibc)
    import Glibc
#endif

/// HTTP over libcurl: `concurrency` connections, each kept alive across batches, so a sink can
/// have several requests in flight (a request goes to the least busy connection; one after
/// another, they all reuse the first).
public final class HTTPTransport: @unchecked Sendable {
    private let connections: [HTTPConnection]
    private let lock = NSLock()
    private var inUse: [Int]

    public init(options: HTTPClientOptions) throws {
        connections = try (0..<max(1, options.concurrency)).map { _ in try HTTPConnection(options: options) }
        inUse = Array(repeating: 0, count: connections.count)
    }

    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        let lane = lock.withLock {
            let lane = inUse.indices.min { inUse[$0] < inUse[$1] }!
            inUse[lane] += 1
            return lane
        }
        defer { lock.withLock { inUse[lane] -= 1 } }
        return try await connections[lane].perform(request)
    }
}

/// One libcurl handle: one keep-alive connection, one request at a time.
///
/// Certificate and host-name verification are always on (there is no option to turn them off);
/// `ca_file` adds a private CA, `client_cert`/`client_key` enable mutual TLS. Proxies come from
/// `proxy` or, unset, from the standard environment variables (libcurl's own behaviour). Requests
/// run on a private serial queue, because one curl handle serves one request at a time and a
/// blocking transfer must not hold one of Swift's few cooperative threads.
final class HTTPConnection: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private let options: HTTPClientOptions
    private let queue = DispatchQueue(label: "siem-export.http")
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    init(options: HTTPClientOptions) throws {
        guard Self.globalInit, let handle = curl_easy_init() else {
            throw TransportFailure(kind: .other, message: "libcurl could not be initialised")
        }
        self.handle = handle
        self.options = options
        // A missing CA or key file would otherwise surface as a vague TLS error on first send.
        // (Every stored property is set, so deinit frees the handle if this throws.)
        for (key, path) in [
            ("ca_file", options.caFile), ("client_cert", options.clientCert), ("client_key", options.clientKey),
        ] {
            if let path, access(path, R_OK) != 0 {
                throw SIEMError.config(location: path, message: "\(key) cannot be read")
            }
        }
    }

    deinit { curl_easy_cleanup(handle) }

    func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.performBlocking(request) })
            }
        }
    }

    /// Collects the answer's status line, headers and body as curl hands them over.
    private final class Accumulator {
        var body: [UInt8] = []
        var headers: [(name: String, value: String)] = []
    }

    private func performBlocking(_ request: HTTPRequest) throws -> HTTPResponse {
        curl_easy_reset(handle)
        let accumulator = Accumulator()
        let context = Unmanaged.passUnretained(accumulator).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        // Without this, curl waits for a `100 Continue` before sending bodies over 1 MB.
        headerList = curl_slist_append(headerList, "Expect:")
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        try configure(request, headers: headerList, context: context)
        errorBuffer[0] = 0
        let code: CURLcode = request.body.withUnsafeBufferPointer { body in
            if request.method == "POST" {
                _ = siem_curl_setopt_long(handle, CURLOPT_POST, 1)
                _ = siem_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                _ = siem_curl_setopt_pointer(
                    handle, CURLOPT_POSTFIELDS,
                    UnsafeMutableRawPointer(mutating: body.baseAddress ?? UnsafePointer(bitPattern: 1)))
            }
            return errorBuffer.withUnsafeMutableBufferPointer { buffer in
                _ = siem_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
                return curl_easy_perform(handle)
            }
        }
        guard code == CURLE_OK else { throw failure(code, request) }
        var status = 0
        _ = siem_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: accumulator.headers, body: accumulator.body)
    }

    private func configure(
        _ request: HTTPRequest, headers: UnsafeMutablePointer<curl_slist>?, context: UnsafeMutableRawPointer
    )
        throws
    {
        func check(_ code: CURLcode, _ what: String) throws {
            guard code == CURLE_OK else {
                throw TransportFailure(kind: .other, message: "\(what): \(String(cString: curl_easy_strerror(code)))")
            }
        }
        try check(siem_curl_setopt_string(handle, CURLOPT_URL, request.url), "URL")
        if request.method != "POST" && request.method != "GET" {
            try check(siem_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method), "method")
        }
        try check(siem_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers), "headers")
        _ = siem_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = siem_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, options.timeoutMS)
        _ = siem_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMS)
        _ = siem_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        _ = siem_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        _ = siem_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = siem_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        let version: Int
        switch options.httpVersion {
        case .auto: version = CURL_HTTP_VERSION_2TLS
        case .http11: version = CURL_HTTP_VERSION_1_1
        case .http2: version = CURL_HTTP_VERSION_2_0
        }
        _ = siem_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, version)
        if let caFile = options.caFile { try check(siem_curl_setopt_string(handle, CURLOPT_CAINFO, caFile), "ca_file") }
        if let cert = options.clientCert {
            try check(siem_curl_setopt_string(handle, CURLOPT_SSLCERT, cert), "client_cert")
        }
        if let key = options.clientKey { try check(siem_curl_setopt_string(handle, CURLOPT_SSLKEY, key), "client_key") }
        if let proxy = options.proxy { try check(siem_curl_setopt_string(handle, CURLOPT_PROXY, proxy), "proxy") }
        _ = siem_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let accumulator = Unmanaged<Accumulator>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            if let data {
                data.withMemoryRebound(to: UInt8.self, capacity: n) {
                    accumulator.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
                }
            }
            return n
        }
        _ = siem_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = siem_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let accumulator = Unmanaged<Accumulator>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            guard let data else { return n }
            let line = data.withMemoryRebound(to: UInt8.self, capacity: n) {
                String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
            }
            if line.hasPrefix("HTTP/") {
                accumulator.headers.removeAll()  // a new response (after a 100 or a proxy CONNECT)
            } else if let colon = line.firstIndex(of: ":") {
                let name = String(line[..<colon]).trimmingCharacters(in: " \t")
                let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: " \t\r\n")
                accumulator.headers.append((name, value))
            }
            return n
        }
        _ = siem_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
    }

    private func failure(_ code: CURLcode, _ request: HTTPRequest) -> TransportFailure {
        let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let message =
            "\(request.method) \(HTTPRequest.describe(url: request.url)): "
            + (detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return TransportFailure(kind: .timeout, message: message)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
            CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return TransportFailure(kind: .network, message: message)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND:
            return TransportFailure(kind: .tls, message: message)
        default:
            return TransportFailure(kind: .other, message: message)
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let drop: (Character) -> Bool = { set.contains($0) }
        guard let start = firstIndex(where: { !drop($0) }), let end = lastIndex(where: { !drop($0) }) else { return "" }
        return String(self[start...end])
    }
}
