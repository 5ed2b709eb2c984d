import SIEMCore

/// The attribute keys formatters copy into a schema's own fields (a decision's rule, an IOC
/// match's indicator); the attributes object itself is always written whole besides.
///
/// A key is looked up as a nested path (`{"rule": {"id": "R-1"}}`) and, failing that, as a
/// literal dotted key (`{"rule.id": "R-1"}`), the two ways producers write them. A string value is
/// taken as is, a number as its text; anything else, or an empty string, counts as absent.
struct WellKnownAttributes: Sendable, Equatable {
    var ruleID: String?
    var ruleName: String?
    var ruleRuleset: String?
    var ruleVersion: String?
    /// A STIX 2.1 cyber-observable type name (`domain-name`, `ipv4-addr`, `url`, …).
    var indicatorType: String?
    var indicatorValue: String?
    var indicatorProvider: String?

    init() {}

    /// Parses `attributes` once; nil or unparseable text has none of the keys.
    init(_ attributes: JSONText?) {
        guard let attributes, let root = try? JSONParser.parse(attributes.text.string) else { return }
        func text(_ path: String) -> String? {
            let parts = path.split(separator: ".").map(String.init)
            var node: JSONValue? = root
            for part in parts { node = node?[part] }
            let value = node ?? root[path]
            switch value {
            case .string(let s) where !s.isEmpty: return s
            case .number(let n): return n
            default: return nil
            }
        }
        ruleID = text("rule.id")
        ruleName = text("rule.name")
        ruleRuleset = text("rule.ruleset")
        ruleVersion = text("rule.version")
        indicatorType = text("indicator.type")
        indicatorValue = text("indicator.value")
        indicatorProvider = text("indicator.provider")
    }

    /// The rule's name, else its id: what a target with one field for the rule gets.
    var ruleLabel: String? { ruleName ?? ruleID }
}
