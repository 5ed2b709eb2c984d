import Foundation
import SIEMCore
import SIEMHost
import SIEMTestSupport
import Testing

/// Every golden CEF line read back by an independent parser (pycef, from PyPI, installed by
/// scripts/install-dependencies.sh): header fields and the extension keys a SIEM maps.
@Suite struct CEFInteropTests {
    @Test func pycefReadsEveryGoldenLineWithItsIdTimeAndLabels() throws {
        let folder = GoldenFile.goldenRoot.appendingPathComponent("cef/oversight-cef-1").path
        let script = """
            import glob, json, sys, pycef
            out = {}
            for path in sorted(glob.glob(sys.argv[1] + "/*.txt")):
                line = open(path, encoding="utf-8").read()
                assert line.endswith("\\n") and line.count("\\n") == 1, path
                out[path.rsplit("/", 1)[1][:-4]] = pycef.parse(line[:-1])
            print(json.dumps(out))
            """
        let result = try ExternalTool.run(["python3", "-c", script, folder])
        try #require(result.status == 0, "pycef (run scripts/install-dependencies.sh): \(result.stderr)")
        let parsed = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: [String: String]])

        let mapper = try GoldenFileTests.mapper()
        let fixtures = try FixtureRows.all()
        #expect(parsed.count == fixtures.count)
        for fixture in fixtures {
            let event = try mapper.map(fixture.row)
            let fields = try #require(parsed[fixture.name], "\(fixture.name) not parsed")
            #expect(fields["CEFVersion"] == "0")
            #expect(fields["DeviceVendor"] == "Oversight" && fields["DeviceProduct"] == "Beacon Registry")
            #expect(fields["DeviceEventClassID"] == event.kind.string, "\(fixture.name)")
            #expect(fields["Name"] == event.action, "\(fixture.name)")
            #expect(fields["Severity"] == "5")
            #expect(fields["externalId"] == String(event.eventID), "\(fixture.name)")
            #expect(fields["rt"] == String(event.occurredUnix * 1_000), "\(fixture.name)")
            #expect(fields["registryId"] == GoldenFileTests.registryID, "\(fixture.name)")
            #expect(fields["schema"] == "oversight-cef-1", "\(fixture.name)")
            #expect(fields["tokenId"] == event.tokenID?.string, "\(fixture.name)")
        }
    }
}
