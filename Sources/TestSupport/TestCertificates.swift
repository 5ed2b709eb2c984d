import Foundation

/// A throwaway CA and a server certificate for 127.0.0.1, made with the `openssl` command at
/// test time, so TLS tests never depend on a committed key or a public CA.
public struct TestCertificates: Sendable {
    public let caFile: String
    public let certificateFile: String
    public let keyFile: String
    /// A client certificate signed by the same CA, for mutual TLS.
    public let clientCertificateFile: String
    public let clientKeyFile: String
    /// Holds the files; removed when the last copy of these certificates goes.
    let directory: TemporaryDirectory

    public static func make() throws -> TestCertificates {
        let directory = try TemporaryDirectory("siem-tls")
        let dir = directory.path
        let script = """
            set -e
            cd '\(dir)'
            key="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
            openssl req -x509 $key -keyout ca.key -out ca.pem -days 2 -subj "/CN=SIEMExport Test CA" 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1\\n' > server.ext
            openssl req $key -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
                -extfile server.ext 2>/dev/null
            openssl req $key -keyout client.key -out client.csr -subj "/CN=siem-export" 2>/dev/null
            openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 2>/dev/null
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        try ChildProcessLaunch.run(process)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(
                .fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "openssl failed to make test certificates"])
        }
        return TestCertificates(
            caFile: dir + "/ca.pem", certificateFile: dir + "/server.pem", keyFile: dir + "/server.key",
            clientCertificateFile: dir + "/client.pem", clientKeyFile: dir + "/client.key", directory: directory)
    }
}
