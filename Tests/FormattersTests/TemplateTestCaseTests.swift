import Foundation
import SIEMCore
import Testing

@testable import SIEMFormatters

/// A template's test case (`tests:`) read into the event it describes, for every category.
@Suite struct TemplateTestCaseTests {
    func decode(_ json: String) throws -> TemplateTestCase {
        try JSONDecoder().decode(TemplateTestCase.self, from: Data(json.utf8))
    }

    func problem(_ input: String) -> String {
        do {
            _ = try decode(#"{"name": "t", "input": \#(input), "expect": {}}"#)
            return "no problem"
        } catch {
            return "\(error)"
        }
    }

    @Test func aDecisionEventTakesItsOwnFields() throws {
        let test = try decode(
            #"""
            {"name": "deny", "input": {"category": "decision", "action": "policy.decision", "verdict": "DENY",
             "time": "2024-01-01T00:00:00.5Z", "actor_user": "alice", "severity": "high", "confidence": 80,
             "destination_port": 443, "attributes": {"rule": "r1"}},
             "expect": {"who": "alice", "n": 1}}
            """#)
        #expect(test.name == "deny")
        #expect(test.event.category == .decision && test.event.verdict == .deny && test.event.severity == .high)
        #expect(test.event.occurredUnix == 1_704_067_200 && test.event.occurredNanos == 500_000_000)
        #expect(test.event.actorUser == "alice" && test.event.confidence == 80 && test.event.destinationPort == 443)
        #expect(test.event.action == "policy.decision" && test.event.attributes?.description == #"{"rule":"r1"}"#)
        // (JSONDecoder does not keep key order; YAML's decoder does, and the comparison ignores it.)
        #expect(test.expect["who"] == .string("alice") && test.expect["n"] == .number("1"))
    }

    @Test func aBeaconEventByDefaultWithItsKind() throws {
        let test = try decode(#"{"name": "b", "input": {"event_id": 7, "kind": "ocsp", "occurred": 60}, "expect": {}}"#)
        #expect(test.event.category == .beacon && test.event.eventID == 7 && test.event.occurredUnix == 60)
        #expect(test.event.beacon.kind == "ocsp" && test.event.actionName == "beacon-ocsp-callback")
    }

    @Test func inputThatNoEventHasIsNamed() {
        #expect(problem(#"{"action": "x"}"#).contains("`action` is derived from `kind`; set kind instead"))
        #expect(problem(#"{"category": "audit", "token_id": "t"}"#).contains("category audit has no `token_id`"))
        #expect(
            problem(#"{"recipent_id": "r"}"#).contains(
                "unknown event field 'recipent_id' (did you mean 'recipient_id'?)"))
        #expect(problem(#"{"category": "audit", "verdict": "maybe"}"#).contains("verdict must be one of allow, deny"))
        #expect(problem(#"{"severity_id": 3}"#).contains("`severity_id` follows from `severity`"))
        #expect(problem(#"{"event_id": "seven"}"#).contains("event_id must be a whole number"))
    }
}
