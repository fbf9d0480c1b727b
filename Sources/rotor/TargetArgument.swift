import ArgumentParser
import RotorCore

/// The `project/name` argument of commands that act on one secret or API key, checked before `run()`.
struct TargetArgument: ParsableArguments {
    @Argument(help: "The secret or API key, as project/name.")
    var name: String

    func validate() throws {
        guard SecretID(parsing: name) != nil else {
            throw ValidationError("the secret or key must be project/name, each matching \(NameRule.pattern)")
        }
    }

    /// The parsed id (`validate()` has already refused anything else).
    var id: SecretID { SecretID(parsing: name) ?? SecretID(project: "invalid", name: "invalid") }
}
