import SIEMCore

/// A record read as an ordered list of named fields, so two versions can be compared field by
/// field instead of as two long lines: JSON by path (`who.agent`, `tags[0]`), CEF by header
/// position and extension key, RFC 5424 syslog by header position, structured-data parameter
/// and (when it is JSON) the message's paths; anything else as one field.
enum RecordFields {
    typealias Field = (path: String, value: String)

    static func fields(of line: String) -> [Field] {
        if line.hasPrefix("{") || line.hasPrefix("["), let value = try? JSONParser.parse(line) {
            return json(value, path: "")
        }
        if line.hasPrefix("CEF:"), let fields = cef(line) { return fields }
        if line.hasPrefix("<"), let fields = syslog(line) { return fields }
        return [("(line)", line)]
    }

    /// Leaves by path, each as its JSON text (numbers as written: `1` and `1.0` differ, as they
    /// may to a SIEM's parser).
    static func json(_ value: JSONValue, path: String) -> [Field] {
        switch value {
        case .object(let members) where !members.isEmpty:
            return members.flatMap { json($0.value, path: path.isEmpty ? key($0.key) : path + "." + key($0.key)) }
        case .array(let items) where !items.isEmpty:
            return items.enumerated().flatMap { json($0.element, path: path + "[\($0.offset)]") }
        default:
            return [(path.isEmpty ? "(value)" : path, value.jsonText)]
        }
    }

    /// A key as a path segment: bare when it is a plain name, else quoted (`["a.b"]`).
    static func key(_ name: String) -> String {
        let plain =
            !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "_-@$".unicodeScalars.contains($0)
            }
        return plain ? name : "[" + JSONValue.string(name).jsonText + "]"
    }

    static let cefHeader = [
        "version", "device_vendor", "device_product", "device_version", "signature_id", "name", "severity",
    ]

    /// `CEF:0|vendor|product|version|id|name|severity|k=v k=v`: the seven header fields split at
    /// unescaped `|`, then extension pairs split before each unescaped `key=`.
    static func cef(_ line: String) -> [Field]? {
        var header: [String] = []
        var current = ""
        var escaped = false
        var rest = Substring(line)
        while header.count < 7, let c = rest.first {
            rest = rest.dropFirst()
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                current.append(c)
                escaped = true
            } else if c == "|" {
                header.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        guard header.count == 7 else { return nil }
        var fields = zip(cefHeader, header).map { Field($0, $1) }
        fields[0].value = String(fields[0].value.dropFirst("CEF:".count))
        fields += cefExtension(String(rest)).map { ("ext." + $0.path, $0.value) }
        return fields
    }

    static func cefExtension(_ text: String) -> [Field] {
        let chars = Array(text)
        var starts: [(key: String, valueStart: Int, keyStart: Int)] = []
        var i = 0
        while i < chars.count {
            // A key begins the extension or follows a space; it runs to an unescaped '='.
            if i == 0 || chars[i - 1] == " " {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "." {
                    j += 1
                }
                if j > i, j < chars.count, chars[j] == "=" {
                    starts.append((String(chars[i..<j]), j + 1, i))
                    i = j + 1
                    continue
                }
            }
            if chars[i] == "\\" { i += 1 }
            i += 1
        }
        return starts.enumerated().map { index, start in
            let end = index + 1 < starts.count ? starts[index + 1].keyStart - 1 : chars.count
            return (start.key, String(chars[start.valueStart..<max(start.valueStart, end)]))
        }
    }

    static let syslogHeader = ["pri_version", "timestamp", "hostname", "app_name", "procid", "msgid"]

    /// RFC 5424: `<PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]`.
    static func syslog(_ line: String) -> [Field]? {
        var rest = Substring(line)
        var fields: [Field] = []
        for name in syslogHeader {
            guard let space = rest.firstIndex(of: " ") else { return nil }
            fields.append((name, String(rest[..<space])))
            rest = rest[rest.index(after: space)...]
        }
        if rest.hasPrefix("-") {
            rest = rest.dropFirst()
        } else {
            // Elements `[id k="v" …]`; `\"`, `\]` and `\\` are escapes inside a value (§6.3.3).
            while rest.hasPrefix("[") {
                guard let close = closingBracket(rest) else { return nil }
                let element = rest[rest.index(after: rest.startIndex)..<close]
                let id = element.prefix { $0 != " " }
                for (name, value) in parameters(element.dropFirst(id.count)) {
                    fields.append(("sd.\(id).\(name)", value))
                }
                rest = rest[rest.index(after: close)...]
            }
        }
        if rest.hasPrefix(" ") { rest = rest.dropFirst() }
        let message = rest.hasPrefix("\u{FEFF}") ? rest.dropFirst() : rest
        if message.isEmpty { return fields }
        if message.hasPrefix("{"), let value = try? JSONParser.parse(String(message)) {
            return fields + json(value, path: "msg")
        }
        return fields + [("msg", String(message))]
    }

    static func closingBracket(_ text: Substring) -> Substring.Index? {
        var inValue = false
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if inValue && c == "\\" {
                index = text.index(after: index)
            } else if c == "\"" {
                inValue.toggle()
            } else if c == "]" && !inValue {
                return index
            }
            if index < text.endIndex { index = text.index(after: index) }
        }
        return nil
    }

    static func parameters(_ text: Substring) -> [(String, String)] {
        var out: [(String, String)] = []
        var rest = text.drop { $0 == " " }
        while let equals = rest.firstIndex(of: "="), rest[rest.index(after: equals)...].hasPrefix("\"") {
            let name = String(rest[..<equals])
            var index = rest.index(equals, offsetBy: 2)
            var value = ""
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\", rest.index(after: index) < rest.endIndex { index = rest.index(after: index) }
                value.append(rest[index])
                index = rest.index(after: index)
            }
            out.append((name, value))
            rest = index < rest.endIndex ? rest[rest.index(after: index)...].drop { $0 == " " } : ""
        }
        return out
    }
}
