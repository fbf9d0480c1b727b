import ArgumentParser

/// `rotor-bench`: throughput measurements that do not belong in unit tests.
@main
struct RotorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotor-bench",
        abstract: "Measures rotor's building blocks on throwaway data.",
        subcommands: [EncryptBenchmark.self, SendBenchmark.self]
    )
}
