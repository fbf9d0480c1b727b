import Dispatch
import Logging
import RotorGit

extension Reconciler {
    /// Repacks rotor's clone when it holds more pack files or loose objects than the
    /// configuration allows (beyond those the last repack had to keep).
    ///
    /// Runs at the end of a pass that reached the remote, under the state store's lock (no other
    /// rotor writes to the clone meanwhile), on the handle the daemon keeps: ``GitRepository/repack()``
    /// makes it forget the removed packs. A failed repack is logged and changes nothing else: the
    /// pass has already pushed, and the next pass tries again.
    func repackIfDue(_ repository: GitRepository, logger: Logger, report: inout PassReport) {
        let limit = configuration.repackAbovePacks
        guard limit > 0 else { return }
        let packs = repository.packFileCount()
        let loose = repository.looseObjectEstimate()
        guard packs > limit + repackLeftovers.packs || loose > configuration.repackAboveLooseObjects + repackLeftovers.looseObjects else { return }
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            let repack = try repository.repack()
            repackLeftovers = (repack.packsKept, repository.looseObjectEstimate())
            report.repack = repack
            logger.info("repacked rotor's clone", metadata: [
                "packs_before": "\(repack.packsBefore)", "packs_after": "\(repack.packsAfter)", "objects": "\(repack.objects)",
                "packs_kept": "\(repack.packsKept)", "loose_removed": "\(repack.looseObjectsRemoved)",
                "duration_ms": "\((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)",
            ])
        } catch {
            logger.warning("cannot repack rotor's clone; the next pass tries again", metadata: ["error": "\(error)", "packs": "\(packs)"])
        }
    }
}
