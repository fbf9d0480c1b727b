"""Workload 1: a plan with nothing due, against reading the same blobs with git cat-file --batch."""
import os, subprocess, time
from support import generate_repo, sh, timed

TITLE = "No-op plan (nothing due) vs git cat-file --batch over the same blobs"
AT = "2026-12-02T00:00:00Z"


def run(env):
    sizes = [1000] if env.quick else [10_000, 100_000]
    armored = env.encrypt("bench-value")
    results = []
    for count in sizes:
        repo = f"{env.work}/noop-{count}"
        paths = generate_repo(repo, count, env.fingerprints, armored, "2026-12-01T00:00:00Z", checkout=False)
        # The repository just written is still being written back to disk: at 100k that slowed
        # whichever measurement came first (rotor's first run, measured once, took 17.8 s
        # against 10.3 s in the run before). Every measurement starts with the disk quiet.
        os.sync()
        floor_cmd = ["sh", "-c", f"git -C {repo} ls-tree -r --format='%(objectname)' HEAD | git -C {repo} cat-file --batch > /dev/null"]
        floor, floor_rss = best(lambda: timed(floor_cmd, env=env.env))
        plan_cmd = [env.rotor, "plan", "--repo", repo, "--at", AT]
        cache = os.path.join(repo, ".git", "rotor", "parse-cache")

        def cold():
            # The first plan of a fresh clone: no parse cache yet (this run writes it).
            if os.path.exists(cache):
                os.unlink(cache)
            return timed(plan_cmd, env=env.env)
        first, first_rss = best(cold, runs=2 if count >= 100_000 else 3)
        warm, warm_rss = best(lambda: timed(plan_cmd, env=env.env))  # every later plan: unchanged specs come from the cache
        out = sh(plan_cmd, env=env.env)
        assert out.startswith("No changes"), out[:500]
        results.append({"name": f"no-op plan, {count:,} secrets ({len(paths):,} blobs)", "workload": "noop", "size": count,
                        "rows": [{"tool": "rotor (parse cache warm)", "items": count, "seconds": warm, "rss_mib": warm_rss},
                                 {"tool": "rotor (first run, no cache)", "items": count, "seconds": first, "rss_mib": first_rss},
                                 {"tool": "git cat-file --batch (floor)", "items": count, "seconds": floor, "rss_mib": floor_rss}],
                        "notes": [f"rotor / floor = {warm / floor:.2f}x warm, {first / floor:.2f}x first run (goal <= 3x); "
                                  f"peak RSS {warm_rss:.0f} MiB warm, {first_rss:.0f} MiB first run"
                                  + (" (goal <= 150 MB at 10k)" if count == 10_000 else "")]})
    if len(results) == 2:
        ratio = results[1]["rows"][0]["seconds"] / results[0]["rows"][0]["seconds"]
        first = results[1]["rows"][1]["seconds"] / results[0]["rows"][1]["seconds"]
        floor = results[1]["rows"][2]["seconds"] / results[0]["rows"][2]["seconds"]
        results[1]["notes"].append(f"100k / 10k = {ratio:.1f}x warm, {first:.1f}x first run, {floor:.1f}x floor (goal <= 11x: linear)")
    return results


def best(measure, runs=3):
    """The fastest of a few runs (less noise on a shared machine)."""
    samples = [measure() for _ in range(runs)]
    return min(samples, key=lambda sample: sample[0])
