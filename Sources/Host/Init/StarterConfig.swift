/// The commented YAML config `siem-export init` writes: the registry as source, one pipeline for
/// the chosen SIEM, secrets as `${env:…}` references named in the header. With the default
/// paths and id it validates at once against the demo registry (`siem-export demo-registry`).
struct StarterConfig {
    var preset: StarterPreset
    /// The registry's SQLite file, as the config names it (relative to the config's directory).
    var registryPath: String
    var registryID: String
    /// The directory of the checkpoint (and of the `file` preset's output), as the config names it.
    var stateDirectory: String

    var text: String {
        // The directory as a prefix of file names: nothing for the config's own directory.
        var state = stateDirectory == "." ? "" : stateDirectory
        if !state.isEmpty && !state.hasSuffix("/") { state += "/" }
        var lines = [
            "# siem-export starter config: \(preset.title).",
            "# Written by `siem-export init --preset \(preset.rawValue)`. Check it, then run it (cron, or dist/systemd):",
            "#   siem-export validate --config FILE && siem-export run --config FILE",
        ]
        if preset.variables.isEmpty {
            lines.append("# It reads no environment variables: this target needs no secret.")
        } else {
            lines.append(
                "# Secrets come from the environment (systemd: Environment= or LoadCredential=), never this file:")
            let width = preset.variables.map(\.name.count).max() ?? 0
            for variable in preset.variables {
                lines.append(
                    "#   \(variable.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(variable.meaning)")
            }
        }
        lines += [
            "# Replace the example addresses and ids with yours. Relative paths are relative to",
            "# this file's directory. Every option: `siem-export plugins`, docs/CONFIG.md, docs/SIEM.md.",
            "version: 1",
            "source:",
            "  type: oversight_registry",
            "  path: \(Self.yamlScalar(registryPath))   # the registry's SQLite file, opened read-only",
            "mapper:",
            "  type: oversight_beacon",
            "  # The registry's id (its ed25519 public key, hex); in production e.g. ${file:/etc/siem-export/registry-id}.",
            "  registry_id: \(Self.yamlScalar(registryID))",
            "checkpoint:                      # each pipeline's last delivered id: delivery resumes there",
            "  path: \(Self.yamlScalar(state + "\(preset.rawValue)-state.sqlite"))",
            "pipelines:",
            preset.pipeline(state: state),
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` as a plain YAML scalar when it reads back as itself, else double-quoted.
    static func yamlScalar(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "/._-+${}:@".unicodeScalars.contains(scalar)
        }
        let special =
            ["true", "false", "yes", "no", "on", "off", "null", "~"].contains(text.lowercased())
            || Double(text) != nil
        if plain, !special, !text.isEmpty, !text.hasPrefix("-"), !text.hasPrefix(":"), !text.hasSuffix(":") {
            return text
        }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case _ where scalar.value < 0x20: quoted += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
