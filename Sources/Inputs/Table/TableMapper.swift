import SIEMCore

/// Lifts a row of any table (or JSON line) into a canonical event, as the config's `fields:`
/// says: audit logs, threat findings, policy decisions — any security event stream, from YAML
/// alone.
///
/// The tenant is the config's (`tenant:`), stamped on every event, never read from the row
/// unless `tenant_column:` says so explicitly. A row whose mapped values cannot make an event
/// (time missing or unreadable, a value `map:` does not list and no `default:`) is a bad row:
/// it goes to the dead-letter file with its reason, and the pipeline goes on.
public struct TableMapper: EventMapper {
    public static let id = "table"
    public static let summary = "Any table's row → canonical event, by a `fields:` mapping (audit, threat, decision)"

    public struct Options: PluginOptions {
        public var category = EventCategory.audit
        public var origin: String?
        public var tenant: String?
        public var tenantColumn: String?
        public var fields = TableFields()
        public var severity: TableSeverityRule?

        public static let specs: [OptionSpec<Options>] = [
            .init("category", \.category, help: "audit, threat or decision: what the events are", required: true),
            .init(
                "fields", \.fields,
                help: "canonical field → column (`time` and `action` required); see docs/SOURCES.md",
                required: true),
            .init(
                "severity", \.severity,
                help:
                    "a scale name, {from_outcome: …}, {from_verdict: …} or {column: …}; by default from the outcome (audit) or verdict (decision)"
            ),
            .init("tenant", \.tenant, help: "the tenant stamped on every event (the scope this source belongs to)"),
            .init(
                "tenant_column", \.tenantColumn,
                help: "instead of `tenant:`, take each event's tenant from this column (only when you trust the writer)"
            ),
            .init(
                "origin", \.origin,
                help:
                    "who produced the events, part of SIEM-side ids (Elasticsearch _id): by default the source's name in `sources:`, else the category"
            ),
        ]

        public init() {}

        public func validateCombination() throws {
            if category == .beacon {
                throw SIEMError.invalidOption(
                    key: "category", message: "beacon rows have their own mapper: `type: oversight_beacon`")
            }
            if fields.time == nil {
                throw SIEMError.invalidOption(
                    key: "fields", message: "`time:` is required: every SIEM event needs its time")
            }
            if fields.action == nil {
                throw SIEMError.invalidOption(
                    key: "fields", message: "`action:` is required (`{value: …}` for a constant)")
            }
            if tenant != nil && tenantColumn != nil {
                throw SIEMError.invalidOption(
                    key: "tenant_column", message: "give `tenant:` or `tenant_column:`, not both")
            }
        }
    }

    public let category: EventCategory
    public let columns: [SourceColumn]
    let origin: String
    let time: TableTimeSource
    let timeColumn: Int
    let action: TextFieldPlan
    let actor: TextFieldPlan
    let actorService: TextFieldPlan
    let target: TextFieldPlan
    let sourceIP: TextFieldPlan
    let sourcePort: TextFieldPlan
    let destinationIP: TextFieldPlan
    let destinationPort: TextFieldPlan
    let userAgent: TextFieldPlan
    let message: TextFieldPlan
    let confidence: TextFieldPlan
    let outcome: EnumFieldPlan<EventOutcome>
    let verdict: EnumFieldPlan<EventVerdict>
    let severity: SeverityPlan
    let tenant: TextFieldPlan
    let attributes: AttributesPlan

    public init(options: Options, context: PluginContext) throws {
        category = options.category
        origin = options.origin ?? context.sourceName ?? options.category.rawValue
        var names: [String] = []
        var uses: [SourceColumn] = []
        func index(_ name: String, _ configPath: String) -> Int {
            if let existing = names.firstIndex(of: name) { return existing }
            names.append(name)
            uses.append(SourceColumn(name, required: true, configPath: configPath))
            return names.count - 1
        }
        let fields = options.fields
        guard let time = fields.time else {
            throw SIEMError.invalidOption(key: "fields", message: "`time:` is required")
        }
        self.time = time
        timeColumn = index(time.column, "fields.time")
        func plan(_ source: TableFieldSource?, _ name: String) -> TextFieldPlan {
            TextFieldPlan(source) { index($0, "fields." + name) }
        }
        action = plan(fields.action, "action")
        actor = plan(fields.actor, "actor")
        actorService = plan(fields.actorService, "actor_service")
        target = plan(fields.target, "target")
        outcome = EnumFieldPlan(
            fields.outcome, { index($0, "fields.outcome") }, parse: { EventOutcome(rawValue: $0.lowercased()) })
        sourceIP = plan(fields.sourceIP, "source_ip")
        sourcePort = plan(fields.sourcePort, "source_port")
        destinationIP = plan(fields.destinationIP, "destination_ip")
        destinationPort = plan(fields.destinationPort, "destination_port")
        userAgent = plan(fields.userAgent, "user_agent")
        message = plan(fields.message, "message")
        confidence = plan(fields.confidence, "confidence")
        verdict = EnumFieldPlan(
            fields.verdict, { index($0, "fields.verdict") }, parse: { EventVerdict(rawValue: $0.lowercased()) })
        severity = SeverityPlan(options.severity ?? .standard(for: options.category)) { index($0, "severity") }
        if let column = options.tenantColumn {
            tenant = .column(index(column, "tenant_column"))
        } else {
            tenant = plan(options.tenant.map { .constant($0) }, "tenant")
        }
        attributes = AttributesPlan(fields.attributes) { index($0, "fields.attributes") }
        columns = uses
    }

    public func map(_ batch: borrowing RowBatch, row: Int) throws -> Event {
        let id = batch.ids[row]
        let (seconds, nanos) = try TableValues.time(batch[row, timeColumn], time, id: id)
        guard let action = try action.text(batch, row, "fields.action") else {
            throw SIEMError.badRow(id: id, message: "`fields.action` is empty")
        }
        let outcome = try outcome.value(batch, row, "fields.outcome") ?? .unknown
        let verdict = try verdict.value(batch, row, "fields.verdict")
        // Both may be mapped: the event's actor is the user, or the service when there is no user.
        let user = try actor.text(batch, row, "fields.actor")
        return Event(
            category: category, eventID: id, occurredUnix: seconds, occurredNanos: nanos, origin: origin,
            action: action, tenant: try tenant.text(batch, row, "tenant_column"), outcome: outcome,
            severity: try severity.value(batch, row, outcome: outcome, verdict: verdict),
            actorUser: user,
            actorService: user == nil ? try actorService.text(batch, row, "fields.actor_service") : nil,
            target: try target.text(batch, row, "fields.target"),
            sourceIP: try sourceIP.text(batch, row, "fields.source_ip"),
            sourcePort: try TableValues.number(
                sourcePort.value(batch, row, "fields.source_port"), "fields.source_port", id: id, what: "a port",
                TableValues.port),
            destinationIP: try destinationIP.text(batch, row, "fields.destination_ip"),
            destinationPort: try TableValues.number(
                destinationPort.value(batch, row, "fields.destination_port"), "fields.destination_port", id: id,
                what: "a port", TableValues.port),
            userAgent: try userAgent.text(batch, row, "fields.user_agent"),
            message: try message.text(batch, row, "fields.message"),
            confidence: try TableValues.number(
                confidence.value(batch, row, "fields.confidence"), "fields.confidence", id: id,
                what: "a confidence score (0–100)", TableValues.confidence),
            verdict: verdict, attributes: try attributes.value(batch, row))
    }
}
