import SIEMCore
import SIEMInputs

/// The shared fixture rows (`Tests/Fixtures/rows/`) lifted into events by the beacon mapper, as
/// every formatter's golden files are made from them.
public enum FixtureEvents {
    /// The registry id of every golden event.
    public static let registryID = String(repeating: "deadbeef", count: 8)

    public static func mapper() throws -> OversightBeaconMapper {
        var options = OversightBeaconMapper.Options()
        options.registryID = registryID
        return try OversightBeaconMapper(options: options, context: PluginContext(baseDirectory: "/"))
    }

    /// Each fixture case's name and its event.
    public static func all() throws -> [(name: String, event: Event)] {
        let mapper = try mapper()
        return try FixtureRows.all().map { ($0.name, try mapper.map($0.row)) }
    }

    /// One formatter's record for `event`, as a golden file holds it (with its newline).
    public static func record(_ formatter: any EventFormatter, _ event: Event) throws -> [UInt8] {
        var writer = RecordWriter()
        try formatter.encode(event, into: &writer)
        writer.endRecord()
        return writer.bytes
    }
}
