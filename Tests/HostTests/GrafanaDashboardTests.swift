import Foundation
import SIEMTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The Grafana dashboard (dist/grafana/siem-export.json) queries only metrics that a real
/// `siem-export run --follow` serves: a renamed metric would otherwise leave its panels empty
/// without a word. The names come out of each PromQL expression, and each must be a series the
/// scrape holds, of a family whose type has it (`_bucket` only of a histogram, …).
@Suite(.serialized) struct GrafanaDashboardTests {
    static let dashboardPath = RepositoryPaths.root.appendingPathComponent("dist/grafana/siem-export.json").path

    /// Series Prometheus adds to every scrape itself; the dashboard may query them.
    static let scrapeSeries: Set<String> = ["up"]

    @Test func everyMetricTheDashboardQueriesIsServedByAFollowRun() throws {
        let scrape = try Self.scrapeFollowRun()
        let queries = try Self.queries()
        #expect(queries.count >= 10, "only \(queries.count) queries found in the dashboard")
        for query in queries {
            let names = PromQLMetricNames.names(in: query.expression)
            #expect(!names.isEmpty, "\(query.place): no metric in \(query.expression)")
            for name in names.sorted() where !Self.scrapeSeries.contains(name) {
                if let problem = scrape.problem(with: name) {
                    Issue.record("\(query.place): \(problem), in \(query.expression)")
                }
            }
        }
    }

    @Test func everyServedFamilyHasAPanel() throws {
        let scrape = try Self.scrapeFollowRun()
        let referenced = Set(try Self.queries().flatMap { PromQLMetricNames.names(in: $0.expression) })
        for family in scrape.types.keys.sorted() {
            let series = [family, family + "_bucket", family + "_sum", family + "_count"]
            #expect(series.contains(where: referenced.contains), "no panel shows \(family)")
        }
    }

    @Test(arguments: [
        (
            #"sum by (pipeline) (rate(siem_export_events_delivered_total{job=~"$job", pipeline=~"${pipeline}"}[$__rate_interval]))"#,
            ["siem_export_events_delivered_total"]
        ),
        (
            #"histogram_quantile(0.99, sum by (le, pipeline) (rate(a_seconds_bucket{x="by (y) rate(z)"}[5m])))"#,
            ["a_seconds_bucket"]
        ),
        (#"a / on(instance) group_left(version) b offset 1h > bool 0.5e3"#, ["a", "b"]),
        (#"{__name__="c", job='x'} or max without (le) (d:recorded:rate5m)"#, ["c", "d:recorded:rate5m"]),
        (#"sum(increase(e_total[$__range])) by (pipeline) unless f[10m:1m]"#, ["e_total", "f"]),
        (#"count by (pipeline) (count_values("v", g))"#, ["g"]),
    ])
    func metricNamesComeOutOfPromQL(expression: String, expected: [String]) {
        #expect(PromQLMetricNames.names(in: expression) == Set(expected))
    }

    @Test func variableQueriesBecomeTheirSelector() {
        #expect(Self.selector(ofVariable: #"label_values(g{job=~"$job"}, instance)"#) == #"g{job=~"$job"}"#)
        #expect(Self.selector(ofVariable: "query_result(max by (pipeline) (h))") == "max by (pipeline) (h)")
        #expect(Self.selector(ofVariable: "label_values(job)") == nil)
    }

    // MARK: - The dashboard

    struct Query {
        var place: String
        var expression: String
    }

    /// Every panel target's `expr` (rows' nested panels included) and every query variable.
    static func queries() throws -> [Query] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dashboardPath))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var queries: [Query] = []
        func collect(_ panels: [[String: Any]]) {
            for panel in panels {
                let title = panel["title"] as? String ?? "?"
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    if let expr = target["expr"] as? String {
                        queries.append(Query(place: "panel '\(title)'", expression: expr))
                    }
                }
                collect(panel["panels"] as? [[String: Any]] ?? [])
            }
        }
        collect(dashboard["panels"] as? [[String: Any]] ?? [])
        let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        for variable in variables where variable["type"] as? String == "query" {
            let query = (variable["query"] as? [String: Any])?["query"] as? String ?? variable["query"] as? String ?? ""
            let place = "variable $\(variable["name"] as? String ?? "?")"
            let expression = try #require(Self.selector(ofVariable: query), "\(place): \(query) names no metric")
            queries.append(Query(place: place, expression: expression))
        }
        return queries
    }

    /// The PromQL inside a Prometheus variable query: `label_values(SELECTOR, label)` or
    /// `query_result(EXPR)`; nil for `label_values(label)` and others that name no metric.
    static func selector(ofVariable query: String) -> String? {
        let query = query.trimmingCharacters(in: .whitespaces)
        guard query.hasSuffix(")") else { return nil }
        if query.hasPrefix("query_result(") { return String(query.dropFirst("query_result(".count).dropLast()) }
        guard query.hasPrefix("label_values("), let comma = query.lastIndex(of: ",") else { return nil }
        return query[query.index(query.startIndex, offsetBy: "label_values(".count)..<comma]
            .trimmingCharacters(in: .whitespaces)
    }

    // MARK: - A real run's /metrics

    /// What one scrape of `/metrics` holds: each family's `# TYPE` and every sample's name.
    struct Scrape {
        var types: [String: String] = [:]
        var samples: Set<String> = []

        init(_ text: String) {
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields.count >= 4, fields[0] == "#", fields[1] == "TYPE" {
                    types[String(fields[2])] = String(fields[3])
                } else if !line.hasPrefix("#"), let name = line.split(whereSeparator: { $0 == "{" || $0 == " " }).first
                {
                    samples.insert(String(name))
                }
            }
        }

        /// Why `name` would select nothing, or nil when it is a served series of a fitting family.
        func problem(with name: String) -> String? {
            if let type = types[name] {
                if type == "histogram" { return "\(name) is a histogram: query \(name)_bucket, _sum or _count" }
                return samples.contains(name) ? nil : "\(name) has no samples"
            }
            let suffixes: [(String, Set<String>)] = [
                ("_bucket", ["histogram"]), ("_sum", ["histogram", "summary"]), ("_count", ["histogram", "summary"]),
                ("_total", ["counter"]),
            ]
            for (suffix, fitting) in suffixes where name.hasSuffix(suffix) {
                let family = String(name.dropLast(suffix.count))
                guard let type = types[family] else { continue }
                if !fitting.contains(type) { return "\(family) is a \(type): it has no \(suffix) series" }
                return samples.contains(name) ? nil : "\(name) has no samples"
            }
            return "\(name) is not served"
        }
    }

    /// Runs `siem-export run --follow` with metrics on a free port against a demo registry,
    /// waits until every pipeline delivered the registry, and returns one scrape.
    static func scrapeFollowRun() throws -> Scrape {
        let cli = try CLIHarness()
        let db = cli.path("registry.sqlite")
        let demo = try cli.run(["demo-registry", db, "--rows", "300"])
        try #require(demo.status == 0, "\(demo.stderr)")
        try FileManager.default.createDirectory(atPath: cli.path("out"), withIntermediateDirectories: true)
        let config = try String(
            contentsOf: RepositoryPaths.root.appendingPathComponent("config/demo.yaml"), encoding: .utf8
        )
        .replacingOccurrences(of: "../demo/registry.sqlite", with: db)
        .replacingOccurrences(of: "../demo/state.sqlite", with: cli.path("state.sqlite"))
        .replacingOccurrences(of: "../demo/out/", with: cli.path("out") + "/")
        try (config + "metrics: {listen: 0}\n").write(toFile: cli.path("siem.yaml"), atomically: false, encoding: .utf8)
        let process = try cli.start(["run", "--config", cli.path("siem.yaml"), "--follow", "--poll-interval", "0.1"])
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(30)
        var port: UInt16?
        while Date() < deadline {
            let stderr = (try? String(contentsOfFile: cli.path("stderr.txt"), encoding: .utf8)) ?? ""
            if port == nil,
                let range = stderr.range(of: #"metrics: http://127\.0\.0\.1:\d+/"#, options: .regularExpression)
            {
                port = UInt16(stderr[range].dropLast().split(separator: ":").last ?? "")
            }
            if let port, let answer = try? httpGet("/metrics", port: port),
                ["splunk", "elastic", "sentinel"].allSatisfy({
                    answer.contains("\nsiem_export_events_delivered_total{pipeline=\"\($0)\"} 300\n")
                })
            {
                return Scrape(String(answer[(answer.range(of: "\r\n\r\n")?.upperBound ?? answer.startIndex)...]))
            }
            try #require(process.isRunning, "the run ended: \(stderr)")
            usleep(50_000)
        }
        let stderr = (try? String(contentsOfFile: cli.path("stderr.txt"), encoding: .utf8)) ?? ""
        throw ScrapeTimeout(stderr: stderr)
    }

    struct ScrapeTimeout: Error, CustomStringConvertible {
        var stderr: String
        var description: String { "no scrape with every event delivered within 30 s; the run's stderr: \(stderr)" }
    }
}

/// The metric names a PromQL expression selects: the identifiers left once Grafana variables,
/// string literals, label matchers, range brackets, function names, keywords and the label lists
/// of `by`/`without`/`on`/`ignoring`/`group_left`/`group_right` are taken out, plus any
/// `__name__="…"` matcher. Grafana's `label_values(selector, label)` reads as a call, so its
/// selector's metric is found the same way.
enum PromQLMetricNames {
    static let labelListKeywords: Set<String> = ["by", "without", "on", "ignoring", "group_left", "group_right"]
    /// Words PromQL reserves: a metric of such a name can only be selected with `__name__`.
    static let keywords: Set<String> = [
        "bool", "offset", "and", "or", "unless", "atan2", "inf", "nan", "Inf", "NaN", "sum", "min", "max", "avg",
        "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio",
    ]

    static func names(in expression: String) -> Set<String> {
        let text = Array(expression.unicodeScalars)
        var names: Set<String> = []
        var index = 0
        func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c == ":" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
        }
        func isIdentifierPart(_ c: Unicode.Scalar) -> Bool { isIdentifierStart(c) || ("0"..."9").contains(c) }
        func skipString() -> String {
            let quote = text[index]
            var value = ""
            index += 1
            while index < text.count, text[index] != quote {
                if text[index] == "\\", quote != "`" { index += 1 }
                if index < text.count { value.unicodeScalars.append(text[index]) }
                index += 1
            }
            index += 1
            return value
        }
        func skipSpaces() { while index < text.count, text[index] == " " || text[index] == "\n" { index += 1 } }
        func skipBalanced(_ open: Unicode.Scalar, _ close: Unicode.Scalar) {
            var depth = 0
            while index < text.count {
                let c = text[index]
                if c == "\"" || c == "'" || c == "`" {
                    _ = skipString()
                    continue
                }
                if c == open { depth += 1 }
                if c == close {
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return
                    }
                }
                index += 1
            }
        }
        while index < text.count {
            let c = text[index]
            if c == "$" {  // a Grafana variable: $name or ${name[:format]}
                index += 1
                if index < text.count, text[index] == "{" {
                    skipBalanced("{", "}")
                } else {
                    while index < text.count, isIdentifierPart(text[index]) { index += 1 }
                }
            } else if c == "\"" || c == "'" || c == "`" {
                _ = skipString()
            } else if c == "{" {  // label matchers; a `__name__` matcher names the metric
                index += 1
                while index < text.count, text[index] != "}" {
                    skipSpaces()
                    let start = index
                    while index < text.count, isIdentifierPart(text[index]) { index += 1 }
                    let label = String(String.UnicodeScalarView(text[start..<index]))
                    skipSpaces()
                    let isEquality = index + 1 < text.count && text[index] == "=" && text[index + 1] != "~"
                    while index < text.count, text[index] != "\"", text[index] != "'", text[index] != "`",
                        text[index] != "}"
                    {
                        index += 1
                    }
                    if index < text.count, text[index] != "}" {
                        let value = skipString()
                        if label == "__name__" && isEquality { names.insert(value) }
                    }
                    skipSpaces()
                    if index < text.count, text[index] == "," { index += 1 }
                }
                index += 1
            } else if c == "[" {
                skipBalanced("[", "]")
            } else if ("0"..."9").contains(c)
                || (c == "." && index + 1 < text.count && ("0"..."9").contains(text[index + 1]))
            {
                // numbers and durations: 0.99, 1e3, 0x1f, 5m, 1h30m
                while index < text.count, isIdentifierPart(text[index]) || text[index] == "." { index += 1 }
            } else if isIdentifierStart(c) {
                let start = index
                while index < text.count, isIdentifierPart(text[index]) { index += 1 }
                let word = String(String.UnicodeScalarView(text[start..<index]))
                skipSpaces()
                let calls = index < text.count && text[index] == "("
                if labelListKeywords.contains(word) {
                    if calls { skipBalanced("(", ")") }
                } else if !calls && !keywords.contains(word) {
                    names.insert(word)
                }
            } else {
                index += 1
            }
        }
        return names
    }
}
