import SIEMCore
import Testing

@testable import SIEMSinks

/// Known answers computed outside this code base, with Python's `hmac`/`hashlib`/`base64`
/// following Microsoft's recipe (see the type's doc comment), and pinned here.
@Suite struct SentinelSharedKeySignatureTests {
    @Test func matchesIndependentlyComputedSignatures() throws {
        let first = try SentinelSharedKeySignature.authorization(
            workspaceID: "00000000-0000-0000-0000-000000000001",
            sharedKeyBase64: "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=", contentLength: 1234,
            date: "Mon, 22 Apr 2026 12:00:00 GMT")
        #expect(first == "SharedKey 00000000-0000-0000-0000-000000000001:QHVdg0cl7hdOPR/pgDJkdEe9/7b1mu+rM1p37fn36p0=")
        let second = try SentinelSharedKeySignature.authorization(
            workspaceID: "b3c0e1d2-aaaa-4bbb-8ccc-0123456789ab",
            sharedKeyBase64: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==",
            contentLength: 0, date: "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(second == "SharedKey b3c0e1d2-aaaa-4bbb-8ccc-0123456789ab:BhfcXIXGUVNGYwMIaCXUk7FodaMGdzpiR3fNeUaSmC8=")
    }

    @Test func theSignatureCoversLengthAndDate() throws {
        let key = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
        let a = try SentinelSharedKeySignature.authorization(
            workspaceID: "w", sharedKeyBase64: key, contentLength: 10, date: "Thu, 01 Jan 1970 00:00:00 GMT")
        let b = try SentinelSharedKeySignature.authorization(
            workspaceID: "w", sharedKeyBase64: key, contentLength: 11, date: "Thu, 01 Jan 1970 00:00:00 GMT")
        let c = try SentinelSharedKeySignature.authorization(
            workspaceID: "w", sharedKeyBase64: key, contentLength: 10, date: "Thu, 01 Jan 1970 00:00:01 GMT")
        #expect(Set([a, b, c]).count == 3)
    }

    @Test(arguments: ["not base64!", "", "AQEB*AQE="])
    func rejectsAKeyThatIsNotBase64WithoutEchoingIt(_ key: String) {
        #expect(throws: SIEMError.invalidOption(key: "shared_key", message: "is not valid base64")) {
            try SentinelSharedKeySignature.authorization(
                workspaceID: "w", sharedKeyBase64: key, contentLength: 1, date: "Thu, 01 Jan 1970 00:00:00 GMT")
        }
    }

    @Test func formatsXMsDateAsRFC1123() {
        #expect(SentinelSharedKeySignature.rfc1123Date(unixSeconds: 1_767_225_600) == "Thu, 01 Jan 2026 00:00:00 GMT")
        #expect(SentinelSharedKeySignature.rfc1123Date(unixSeconds: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
    }
}
