import Foundation

/// A problem the engine explains to the person running rotor.
public struct EngineError: Error, CustomStringConvertible, Sendable {
    /// What is wrong and, when knowable, what to do.
    public let description: String

    /// Creates an error with a message for people (never a secret value).
    public init(_ description: String) { self.description = description }
}
