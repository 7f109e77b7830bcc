/// A JSON value, for the free-form parts of a run's config (architecture,
/// hyperparameters, preprocessing).
public enum JSONValue: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The JSON kinds: a string, a number (a `Double`, integers included), a Boolean, an
    /// array, an object, and `null`.
    case string(String), number(Double), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    /// Decodes any JSON value, trying null, Boolean, number, string, array, then object; throws
    /// when the input is none of them.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// Encodes the value as the matching JSON (a `.number` as a JSON number, `.null` as `null`).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let n): try c.encode(n)
        case .bool(let b): try c.encode(b)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        case .null: try c.encodeNil()
        }
    }

    /// Compact text for logs and reports: strings unquoted, integral numbers without a decimal
    /// point, arrays in brackets, objects in braces with sorted keys.
    public var description: String {
        switch self {
        case .string(let s): s
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .bool(let b): String(b)
        case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\($0): \(o[$0]!)" }.joined(separator: ", ") + "}"
        case .null: "null"
        }
    }

    /// The number, or nil when the value is not a `.number`.
    public var double: Double? { if case .number(let n) = self { return n }; return nil }
    /// The number truncated toward zero, or nil when the value is not a `.number`.
    public var int: Int? { double.map { Int($0) } }
    /// The string, or nil when the value is not a `.string`.
    public var string: String? { if case .string(let s) = self { return s }; return nil }
    /// The Boolean, or nil when the value is not a `.bool`.
    public var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    /// A `.string` from a string literal, so settings read `["scaling": "none"]`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A `.number` from a floating-point literal (`"lr": 0.001`).
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A `.number` from an integer literal (`"steps": 2000`), stored as a `Double`.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A `.bool` from `true` or `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
