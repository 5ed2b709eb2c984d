/// The release version: what `siem-export --version` prints and the version of the .deb
/// (`scripts/package-deb.sh` reads it from the built binary, so the two cannot differ).
public enum SIEMExportVersion {
    public static let current = "0.5.0"
}
