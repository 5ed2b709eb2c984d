import Foundation
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// The docs must stay true to the code: every plugin and option that exists is documented.
@Suite struct DocumentationTests {
    func doc(_ name: String) throws -> String {
        try String(contentsOf: RepositoryPaths.root.appendingPathComponent("docs/\(name)"), encoding: .utf8)
    }

    @Test func configReferenceHasTheCurrentPluginsListing() throws {
        #expect(try doc("CONFIG.md").contains(PluginsCommand.listing(BuiltInPlugins.registry)))
    }

    /// Every option of every registered plugin is declared once, with help, and its default
    /// passes its own rule, so `plugins` and CONFIG.md show what a config really gets.
    @Test func everyOptionIsSoundlyDeclared() {
        let registry = BuiltInPlugins.registry
        let descriptions =
            registry.sources.values.map(\.description) + registry.mappers.values.map(\.description)
            + registry.formatters.values.map(\.description) + registry.sinks.values.map(\.description)
        #expect(descriptions.count > 10)
        for plugin in descriptions {
            #expect(plugin.declarationProblems.isEmpty, "\(plugin.id): \(plugin.declarationProblems)")
            #expect(plugin.options.allSatisfy { !$0.help.isEmpty && !$0.defaultValue.isEmpty })
        }
    }

    @Test func everyFormatterIsDescribedForOperatorsAndReviewers() throws {
        let siem = try doc("SIEM.md")
        let schemas = try doc("SCHEMAS.md")
        for formatter in BuiltInPlugins.registry.formatters.values.map(\.description) {
            #expect(siem.contains("`\(formatter.id)`"), "docs/SIEM.md lacks \(formatter.id)")
            #expect(schemas.contains("**\(formatter.id)**"), "docs/SCHEMAS.md lacks the fields of \(formatter.id)")
            #expect(
                schemas.contains("## \(formatter.schema?.name ?? "?")"),
                "docs/SCHEMAS.md lacks \(formatter.schema?.name ?? "?")")
        }
    }

    @Test func readmeStartsWithTheTwoCommandsAndCIRunsThem() throws {
        let readme = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("README.md"), encoding: .utf8)
        let firstBlock = readme.components(separatedBy: "```")[1]
        let commands = firstBlock.split(separator: "\n").filter { !$0.hasPrefix("sh") && !$0.isEmpty }
        #expect(commands.count == 2)
        #expect(commands.first?.contains("scripts/demo.sh") == true)
        #expect(commands.last?.contains("scripts/test.sh") == true)
        let ci = try String(contentsOf: RepositoryPaths.root.appendingPathComponent(".ci/run"), encoding: .utf8)
        #expect(ci.contains("bash scripts/test.sh") && ci.contains("bash scripts/demo.sh"))
    }

    /// The registry's PostgreSQL schema the docs ship is the one the tests run against.
    @Test func thePostgresRegistrySchemaInTheDocsIsTheTestedOne() throws {
        let shipped = try doc("SOURCES-postgres.md")
        let ddl = PostgresRegistrySchema.ddl
        #expect(
            shipped.contains("```sql\n" + ddl + "\n```"),
            "docs/SOURCES-postgres.md's registry DDL differs from the tested one")
    }

    @Test func everySinkAndSourceIsDocumented() throws {
        let docs = try ["SIEM.md", "SOURCES-postgres.md", "CONFIG.md", "OPERATIONS.md"].map(doc).joined()
        let registry = BuiltInPlugins.registry
        for id in Array(registry.sinks.keys) + Array(registry.sources.keys) {
            #expect(docs.contains("`\(id)`"), "no doc names `\(id)`")
        }
        #expect(try doc("OPERATIONS.md").contains("| `kafka` |"), "OPERATIONS.md's refusal table lacks kafka")
    }
}
