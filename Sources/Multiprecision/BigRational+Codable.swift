/// An exact rational is encoded as its text, `"p/q"` or an integer `"n"`, so that no coder
/// rounds it; it decodes from that text, a decimal such as `"2.5"` or `"1e-3"`, or a number.
extension BigRational: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let s = try? container.decode(String.self) {
            text = s
        } else if let i = try? container.decode(Int.self) {
            text = String(i)
        } else {
            let d = try container.decode(Double.self)
            guard let r = BigRational(exactly: d) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a finite number")
            }
            self = r
            return
        }
        do {
            self = try BigRational(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not an exact number")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fractionString)
    }
}
