import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// `siem-export`: the root command.
public struct SIEMExportCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "siem-export",
        abstract: "Export beacon registry events to SIEMs (Splunk HEC, Elastic ECS, Microsoft Sentinel).",
        version: SIEMExportVersion.current,
        subcommands: [
            RunCommand.self, ExportCommand.self, ValidateCommand.self, PluginsCommand.self, DemoRegistryCommand.self,
            DemoDataCommand.self,
            GoldenCommand.self,
        ])

    public init() {}

    /// Entry point for the executable: a closed pipe must be an error we report, not a silent death.
    public static func start() async {
        #if canImport(Glibc)
            signal(SIGPIPE, SIG_IGN)
            signal(SIGXFSZ, SIG_IGN)  // a file-size limit must fail a write (EFBIG), not kill us mid-batch
        #endif
        await main()
    }
}
