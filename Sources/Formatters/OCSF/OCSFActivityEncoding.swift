import SIEMCore

/// The attributes of API Activity (6003) and Authentication (3002), and the network endpoints
/// every class of the new categories shares.
extension OCSFFormatter {
    /// 6003 requires `api`, `actor` and `src_endpoint`. `api.operation` is the action; the actor
    /// is the user (`actor.user.name`) or the service (`actor.app_name`, "the client application
    /// or service that initiated the activity"). An event that names neither is taken as the
    /// recording application's own: `actor.app_name` = origin. The source is the address, else
    /// the service (`src_endpoint.svc_name`), else `src_endpoint.name` "unknown" — OCSF: "Every
    /// OCSF event must have all of its event class Required attributes populated" (Schema FAQ).
    func writeAPIActivity(
        _ event: borrowing Event, observables: inout OCSFObservables, unmapped: inout OCSFUnmappedExtras,
        into out: inout RecordWriter
    ) {
        out.key("api")
        out.beginObject()
        out.field("operation", event.action)
        out.endObject()
        out.key("actor")
        out.beginObject()
        if let user = event.actorUser.nonEmptyText {
            out.key("user")
            out.beginObject()
            out.field("name", user)
            out.endObject()
            observables.userName("actor.user.name", user)
        } else if let service = event.actorService.nonEmptyText {
            out.field("app_name", service)
        } else {
            out.field("app_name", event.origin)
        }
        out.endObject()
        let source = OCSFEndpoint(address: event.sourceIP, port: event.sourcePort)
        if source.isEmpty {
            out.key("src_endpoint")
            out.beginObject()
            if let service = event.actorService.nonEmptyText {
                out.field("svc_name", service)
            } else {
                out.field("name", constant: "unknown")
            }
            out.endObject()
            unmapped.sourcePort = source.port
        } else {
            source.write("src_endpoint", into: &out)
            observables.ip("src_endpoint.ip", source.ip)
        }
        writeDestination(event, observable: "dst_endpoint.ip", observables: &observables, unmapped: &unmapped, &out)
        if let target = event.target.nonEmptyText {
            out.key("resources")
            out.beginArray()
            out.beginObject()
            out.field("name", target)
            out.endObject()
            out.endArray()
        }
        writeUserAgent(event.userAgent, into: &out)
        unmapped.confidence = event.confidence
    }

    /// 3002 requires `user`, "the subject (user/role or account) to authenticate": the user, or
    /// the service as a user of type 4 "Service". `service` ("the service or gateway to which the
    /// user or process is being authenticated") is the target; the class needs it or
    /// `dst_endpoint`, so with neither it is the origin, the system that recorded the login.
    func writeAuthentication(
        _ event: borrowing Event, observables: inout OCSFObservables, unmapped: inout OCSFUnmappedExtras,
        into out: inout RecordWriter
    ) {
        out.key("user")
        out.beginObject()
        if let user = event.actorUser.nonEmptyText {
            out.field("name", user)
            observables.userName("user.name", user)
        } else {
            out.field("name", event.actorService)
            out.field("type", constant: "Service")
            out.key("type_id")
            out.int(4)
        }
        out.endObject()
        let destination = OCSFEndpoint(address: event.destinationIP, port: event.destinationPort)
        if let target = event.target.nonEmptyText {
            out.key("service")
            out.beginObject()
            out.field("name", target)
            out.endObject()
        } else if destination.isEmpty {
            out.key("service")
            out.beginObject()
            out.field("name", event.origin)
            out.endObject()
        }
        let source = OCSFEndpoint(address: event.sourceIP, port: event.sourcePort)
        if source.isEmpty {
            unmapped.sourcePort = source.port
        } else {
            source.write("src_endpoint", into: &out)
            observables.ip("src_endpoint.ip", source.ip)
        }
        writeDestination(event, observable: "dst_endpoint.ip", observables: &observables, unmapped: &unmapped, &out)
        writeUserAgent(event.userAgent, into: &out)
        unmapped.confidence = event.confidence
    }

    func writeDestination(
        _ event: borrowing Event, observable: StaticString, observables: inout OCSFObservables,
        unmapped: inout OCSFUnmappedExtras, _ out: inout RecordWriter
    ) {
        let destination = OCSFEndpoint(address: event.destinationIP, port: event.destinationPort)
        if destination.isEmpty {
            unmapped.destinationPort = destination.port
        } else {
            destination.write("dst_endpoint", into: &out)
            observables.ip(observable, destination.ip)
        }
    }

    func writeUserAgent(_ userAgent: UTF8Text?, into out: inout RecordWriter) {
        guard let userAgent = userAgent.nonEmptyText else { return }
        out.key("http_request")
        out.beginObject()
        out.field("user_agent", userAgent)
        out.endObject()
    }
}

/// A network endpoint from an address as stored: an IP literal OCSF's `ip_t` takes goes to
/// `ip`, other text to `name` ("the short name of the endpoint"; `hostname` would claim a DNS
/// name), and the port (`port_t`, 0–65535) beside it. A port alone identifies no endpoint (the
/// object needs one of `ip`, `name`, …), so it goes to `unmapped` instead.
struct OCSFEndpoint {
    var ip: UTF8Text?
    var name: UTF8Text?
    var port: Int32?

    init(address: UTF8Text?, port: Int32?) {
        if let address = address.nonEmptyText {
            if OCSFFormatter.isOCSFAddress(address) { ip = address } else { name = address }
        }
        self.port = port.flatMap { (0...65_535).contains($0) ? $0 : nil }
    }

    var isEmpty: Bool { ip == nil && name == nil }

    func write(_ key: StaticString, into out: inout RecordWriter) {
        out.key(key)
        out.beginObject()
        out.field("ip", ip)
        out.field("name", name)
        out.field("port", port)
        out.endObject()
    }
}
