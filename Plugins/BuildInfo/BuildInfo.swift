import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` before every build of the target that uses it: the git commit the
/// package is built from (nil outside a git checkout), for `rotor --version`.
@main
struct BuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let file = output.appending(path: "BuildInfo.swift").path()
        let package = context.package.directoryURL.path()
        // git describes the checkout; a tree with uncommitted changes says so ("-modified").
        let script = """
            mkdir -p '\(output.path())'
            commit=$(git -C '\(package)' rev-parse HEAD 2>/dev/null || true)
            if [ -n "$commit" ] && [ -n "$(git -C '\(package)' status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit-modified"; fi
            if [ -n "$commit" ]; then value="\\"$commit\\""; else value=nil; fi
            text="/// The git commit this rotor was built from (written by the BuildInfo plugin).
            let buildCommit: String? = $value"
            [ -f '\(file)' ] && [ "$(cat '\(file)')" = "$text" ] || printf '%s\\n' "$text" > '\(file)'
            """
        return [.prebuildCommand(displayName: "Recording the git commit rotor is built from",
                                 executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", script], outputFilesDirectory: output)]
    }
}
