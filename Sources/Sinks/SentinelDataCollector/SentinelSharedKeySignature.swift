import CLibCrypto
import Foundation
import SIEMCore

/// The `Authorization` header of the Log Analytics HTTP Data Collector API.
///
/// Microsoft's recipe ("Build the signature", learn.microsoft.com/azure/azure-monitor/logs/
/// data-collector-api): HMAC-SHA256, keyed with the base64-decoded workspace shared key, over
/// `POST\n<content length>\napplication/json\nx-ms-date:<RFC 1123 date>\n/api/logs`, base64
/// encoded, sent as `SharedKey <workspace id>:<signature>`. The content length must be the exact
/// byte length of the body sent, and the date the one sent in `x-ms-date`.
public enum SentinelSharedKeySignature {
    public static func authorization(
        workspaceID: String, sharedKeyBase64: String, contentLength: Int, date rfc1123Date: String
    ) throws -> String {
        guard let key = Data(base64Encoded: sharedKeyBase64), !key.isEmpty else {
            // The key itself never goes into the message.
            throw SIEMError.invalidOption(key: "shared_key", message: "is not valid base64")
        }
        let stringToSign = "POST\n\(contentLength)\napplication/json\nx-ms-date:\(rfc1123Date)\n/api/logs"
        let mac = hmacSHA256(key: [UInt8](key), message: Array(stringToSign.utf8))
        return "SharedKey \(workspaceID):\(Data(mac).base64EncodedString())"
    }

    /// HMAC-SHA256 through libcrypto's one-shot `HMAC()`.
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, &digest, &length)
            }
        }
        return Array(digest.prefix(Int(length)))
    }

    /// `x-ms-date` format (RFC 1123, always GMT), e.g. `Mon, 22 Apr 2026 12:00:00 GMT`.
    public static func rfc1123Date(unixSeconds: Int64) -> String {
        let t = CivilTime(unixSeconds: unixSeconds)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(t.weekday)]), \(two(t.day)) \(months[Int(t.month - 1)]) \(t.year) "
            + "\(two(t.hour)):\(two(t.minute)):\(two(t.second)) GMT"
    }
}
