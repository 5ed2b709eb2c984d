import Foundation

/// OTLP output read back by OpenTelemetry's own protobuf definitions through protobuf's strict
/// JSON parser (unknown fields, wrong types and bad 64-bit strings are errors): the pip package
/// `opentelemetry-proto`, installed by scripts/install-dependencies.sh.
public enum OpenTelemetryParser {
    /// Parses OTLP/HTTP JSON request bodies (one per line on stdin) as `ExportLogsServiceRequest`s
    /// and prints, per request, each record's event id, event name, time, attribute keys, scope
    /// version, severity number and text, body, attribute values (protobuf's JSON form of each
    /// AnyValue) and its resource's attributes.
    public static func parse(_ lines: [UInt8]) throws -> [[[String: Any]]] {
        let script = """
            import json, sys
            from google.protobuf import json_format
            from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
            out = []
            for line in sys.stdin.read().splitlines():
                request = json_format.Parse(line, logs_service_pb2.ExportLogsServiceRequest())
                records = []
                for resource in request.resource_logs:
                    origin = {a.key: a.value.string_value for a in resource.resource.attributes}
                    for scope in resource.scope_logs:
                        for r in scope.log_records:
                            attrs = {a.key: a.value for a in r.attributes}
                            records.append({"id": attrs["oversight.event_id"].string_value, "name": r.event_name,
                                            "time": str(r.time_unix_nano), "keys": sorted(attrs),
                                            "scope": scope.scope.version, "severity": r.severity_number,
                                            "severity_text": r.severity_text, "body": r.body.string_value,
                                            "values": {k: json_format.MessageToDict(v) for k, v in attrs.items()},
                                            "resource": origin})
                out.append(records)
            print(json.dumps(out))
            """
        let result = try ExternalTool.run(["python3", "-c", script], input: Data(lines))
        guard result.status == 0 else {
            throw ParseError(message: "opentelemetry-proto (scripts/install-dependencies.sh): \(result.stderr)")
        }
        guard let parsed = try JSONSerialization.jsonObject(with: result.stdout) as? [[[String: Any]]] else {
            throw ParseError(message: "unexpected output: \(String(decoding: result.stdout, as: UTF8.self))")
        }
        return parsed
    }

    /// The parser refused the input, or could not run.
    public struct ParseError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
