/// `text` as SVG text content, with `_x` or `_{…}` set as a subscript (a lowered, smaller
/// tspan), so that labels such as `R_M` or `‖Θ_t − Θ_0‖_F` never show a raw underscore.
public func svgText(_ text: String) -> String {
    var output = ""
    var rest = Substring(text)
    while let underscore = rest.firstIndex(of: "_") {
        output += xmlEscaped(String(rest[..<underscore]))
        var after = rest[rest.index(after: underscore)...]
        let subscriptText: Substring
        if after.first == "{", let close = after.firstIndex(of: "}") {
            subscriptText = after[after.index(after: after.startIndex)..<close]
            after = after[after.index(after: close)...]
        } else if let first = after.first, first != " " {
            subscriptText = after[..<after.index(after: after.startIndex)]
            after = after[after.index(after: after.startIndex)...]
        } else {
            output += "_"
            rest = after
            continue
        }
        output += "<tspan baseline-shift=\"sub\" font-size=\"75%\">\(xmlEscaped(String(subscriptText)))</tspan>"
        rest = after
    }
    return output + xmlEscaped(String(rest))
}

/// `text` made safe for XML character data and attribute values: `& < > " '` become
/// entities, and characters XML 1.0 forbids (most C0 controls) become U+FFFD.
public func xmlEscaped(_ text: String) -> String {
    var output = ""
    output.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": output += "&amp;"
        case "<": output += "&lt;"
        case ">": output += "&gt;"
        case "\"": output += "&quot;"
        case "'": output += "&apos;"
        case "\t", "\n", "\r": output.unicodeScalars.append(scalar)
        case let control where control.value < 0x20 || control.value == 0xFFFE || control.value == 0xFFFF:
            output += "\u{FFFD}"
        default: output.unicodeScalars.append(scalar)
        }
    }
    return output
}
