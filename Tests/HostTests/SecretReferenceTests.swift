import Foundation
import SIEMTestSupport
import Testing

@testable import SIEMHost

@Suite struct SecretReferenceTests {
    let temporary = try! TemporaryDirectory("siem-secret")
    var dir: URL { temporary.url }

    @Test func expandsEnvironmentAndFileReferences() throws {
        try Data("s3cr3t\n".utf8).write(to: dir.appendingPathComponent("token"))
        try Data("crlf\r\n".utf8).write(to: dir.appendingPathComponent("crlf"))
        let refs = SecretReference(environment: ["HEC": "abc", "EMPTY": ""], baseDirectory: dir.path)
        #expect(try refs.expand("Splunk ${env:HEC}") == "Splunk abc")
        #expect(try refs.expand("${env:EMPTY}") == "")
        #expect(try refs.expand("${file:token}") == "s3cr3t")
        #expect(try refs.expand("${file:\(dir.path)/crlf}") == "crlf")
        #expect(try refs.expand("${env:HEC}-${env:HEC}") == "abc-abc")
        #expect(try refs.expand("plain $HOME {x}") == "plain $HOME {x}")
    }

    /// `${env:NAME:-DEFAULT}`: the default, itself expanded, when NAME is unset or empty (as in
    /// the OpenTelemetry Collector and POSIX shells); NAME's value otherwise.
    @Test func anEnvironmentReferenceMayFallBackToADefault() throws {
        try Data("from-file\n".utf8).write(to: dir.appendingPathComponent("id"))
        let refs = SecretReference(environment: ["SET": "set", "EMPTY": ""], baseDirectory: dir.path)
        #expect(try refs.expand("${env:SET:-/var/lib/x}") == "set")
        #expect(try refs.expand("${env:UNSET:-/var/lib/x}/state.sqlite") == "/var/lib/x/state.sqlite")
        #expect(try refs.expand("${env:EMPTY:-fallback}") == "fallback")
        #expect(try refs.expand("${env:UNSET:-}") == "")
        #expect(try refs.expand("${env:UNSET:-${file:id}}") == "from-file")
        #expect(try refs.expand("${env:SET:-${file:missing}}") == "set", "an unused default is not read")
        #expect(try refs.expand("a ${env:UNSET:-${env:SET}} b ${env:SET}") == "a set b set")
        #expect(throws: SecretReference.Failure.unsetVariable("ALSO")) { try refs.expand("${env:UNSET:-${env:ALSO}}") }
        #expect(throws: SecretReference.Failure.malformed("${env:UNSET:-${env:SET}")) {
            try refs.expand("${env:UNSET:-${env:SET}")
        }
        #expect(SecretReference.hasDefault("${env:T:-x}"))
        #expect(!SecretReference.hasDefault("${env:T}"))
    }

    @Test func failuresNameTheReferenceNeverAValue() {
        let refs = SecretReference(environment: ["SET": "value-that-must-not-leak"], baseDirectory: dir.path)
        #expect(throws: SecretReference.Failure.unsetVariable("NOPE")) { try refs.expand("${env:NOPE}") }
        #expect(throws: SecretReference.Failure.malformed("${env:SET")) { try refs.expand("${env:SET") }
        #expect(throws: SecretReference.Failure.malformed("${vault:x}")) { try refs.expand("${vault:x}") }
        do {
            _ = try refs.expand("${env:SET}${file:missing}")
        } catch {
            #expect(!error.description.contains("value-that-must-not-leak"))
            #expect(error.description.contains("missing"))
        }
    }
}
