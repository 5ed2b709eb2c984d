import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// The resource of an OTLP request of audit, threat or decision events, read back by
/// OpenTelemetry's own protobuf definitions: the producer (`service.name`) and the tenant.
@Suite struct OTLPBatchResourceTests {
    func request(_ events: [Event]) throws -> [[String: Any]] {
        let formatter = try OTLPLogFormatter(options: .init(), context: PluginContext(baseDirectory: "/"))
        let pipeline = AssembledPipeline(
            name: "otlp", formatter: formatter, formatterID: "otlp", framing: .otlpLogs, sink: InMemorySink(),
            sinkID: "memory")
        var writer = RecordWriter()
        let (batch, _) = try BatchEncoder.encode(
            events, positions: events.map { SourcePosition(id: $0.eventID) }, after: nil, with: pipeline,
            writer: &writer)
        let requests = try OpenTelemetryParser.parse(batch.lineOutput)
        #expect(requests.count == 1)
        return requests.first ?? []
    }

    func audit(_ id: Int64, tenant: UTF8Text?) -> Event {
        Event(
            category: .audit, eventID: id, occurredUnix: 1_772_600_000, origin: "acme-console", action: "auth.login",
            tenant: tenant, outcome: .success, severity: .informational, actorUser: "alice")
    }

    @Test func oneTenantIsTheResourcesTenant() throws {
        let records = try request([audit(1, tenant: "acme"), audit(2, tenant: "acme")])
        #expect(records.count == 2)
        for record in records {
            #expect(
                record["resource"] as? [String: String] == [
                    "service.name": "acme-console", "oversight.tenant.id": "acme",
                ])
        }
    }

    /// A `tenant_column` source can mix tenants in a batch: the resource then claims none, and each
    /// record keeps its own.
    @Test func aBatchOfSeveralTenantsNamesNoneInItsResource() throws {
        let records = try request([audit(1, tenant: "acme"), audit(2, tenant: "globex"), audit(3, tenant: nil)])
        for record in records {
            #expect(record["resource"] as? [String: String] == ["service.name": "acme-console"])
        }
        let tenants = records.map {
            ($0["values"] as? [String: [String: Any]])?["oversight.tenant.id"]?["stringValue"] as? String
        }
        #expect(tenants == ["acme", "globex", nil])
    }

    @Test func beaconBatchesKeepTheRegistryResource() throws {
        let records = try request(Array(try FixtureEvents.all().map(\.event).prefix(2)))
        let resource = try #require(records.first?["resource"] as? [String: String])
        #expect(resource["service.name"] == "oversight-registry")
        #expect(resource["oversight.registry_id"] != nil)
    }
}
