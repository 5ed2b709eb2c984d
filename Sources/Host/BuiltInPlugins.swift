import SIEMCore
import SIEMFormatters
import SIEMInputs
import SIEMSinks

/// Every plugin that ships with SIEMExport, one line each. A test fails when a formatter
/// folder has no line here, or a registered formatter has no golden files.
public enum BuiltInPlugins {
    public static var registry: PluginRegistry {
        var registry = PluginRegistry()
        registry.register(source: OversightRegistrySource.self)
        registry.register(source: SQLiteTableSource.self)
        registry.register(source: JSONLinesSource.self)
        registry.register(source: PostgresTableSource.self)
        registry.register(source: OversightRegistryPostgresSource.self)
        registry.register(mapper: OversightBeaconMapper.self)
        registry.register(mapper: TableMapper.self)
        registry.register(formatter: SplunkHECFormatter.self)
        registry.register(formatter: ECSFormatter.self)
        registry.register(formatter: SentinelFormatter.self)
        registry.register(formatter: CEFFormatter.self)
        registry.register(formatter: SyslogFormatter.self)
        registry.register(formatter: OTLPLogFormatter.self)
        registry.register(formatter: OCSFFormatter.self)
        registry.register(formatter: TemplateFormatter.self)
        registry.register(sink: StdoutSink.self)
        registry.register(sink: FileSink.self)
        registry.register(sink: HTTPSink.self)
        registry.register(sink: SyslogSink.self)
        registry.register(sink: OTLPHTTPSink.self)
        registry.register(sink: SplunkHECSink.self)
        registry.register(sink: ElasticsearchSink.self)
        registry.register(sink: SentinelDataCollectorSink.self)
        registry.register(sink: AzureLogsIngestionSink.self)
        registry.register(sink: KafkaSink.self)
        return registry
    }
}
