import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// `siem-export`: the root command.
public struct SIEMExportCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "siem-export",
        abstract:
            "Export security events (beacon registry, audit logs, threat findings, policy decisions) to SIEMs in their own shapes: Splunk HEC, Elastic ECS, Microsoft Sentinel, OCSF, CEF, syslog, OTLP, or a YAML template.",
        discussion: ExitCodes.help(ExitCodes.all, note: "Each command's --help lists the codes it can return."),
        version: SIEMExportVersion.current,
        subcommands: [
            RunCommand.self, ExportCommand.self, ValidateCommand.self, TapCommand.self, PluginsCommand.self,
            ConfigSchemaCommand.self, DemoRegistryCommand.self, DemoDataCommand.self, GoldenCommand.self,
            InitCommand.self,
        ])

    public init() {}

    /// Entry point for the executable. SIGPIPE is ignored so a closed pipe is an error a write
    /// sees (standard output closed by `head` then ends the command quietly, a file sink's
    /// broken pipe is reported); argument errors are one `error: …` line like every other.
    public static func start() async {
        #if canImport(Glibc)
            signal(SIGPIPE, SIG_IGN)
            signal(SIGXFSZ, SIG_IGN)  // a file-size limit must fail a write (EFBIG), not kill us mid-batch
        #endif
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // Help, --version, completion scripts, and the exit codes commands throw themselves.
            guard exitCode(for: error) != .success, !(error is ExitCode) else { exit(withError: error) }
            for line in ArgumentErrorWording.lines(for: error, root: Self.self) { StandardError.print(line) }
            exit(withError: ExitCode(exitCode(for: error).rawValue))
        }
    }
}
