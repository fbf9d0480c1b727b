"""Workload 3: re-encrypt N live values to a new recipient set, against sops rotate on the same values."""
import os, subprocess, time
from support import config_yaml, generate_repo, sh, sops_binary, timed

TITLE = "Rekey live values to a new recipient set"


def run(env):
    count = 50 if env.quick else 10_000
    first, second = env.fingerprints[0], env.fingerprints[1]
    armored = env.encrypt("live-value", recipients=[first])
    repo = f"{env.work}/rekey-{count}"
    generate_repo(repo, count, [first], armored, "2026-11-30T00:00:00Z")
    with open(f"{repo}/rotor.yaml", "w") as handle:
        handle.write(config_yaml([first, second]))
    sh(["git", "-C", repo, "-c", "user.name=bench", "-c", "user.email=b@rotor.invalid", "commit", "-qam", "add a recipient"])
    rotor, rss = timed([env.rotor, "rekey", "--repo", repo, "--state", f"{env.work}/rekey-state.db", "--at", "2026-12-01T00:00:00Z"], env=env.env)
    assert sh(["git", "-C", repo, "log", "-1", "--format=%s"]).startswith(f"rotor: rekey {count} versions")
    rows = [{"tool": "rotor rekey", "items": count, "seconds": rotor, "rss_mib": rss}]

    # sops: the same number of values, each in its own file encrypted to the first key (setup, untimed),
    # then `sops rotate --add-pgp` per file: decrypt, new data key, encrypt to both.
    sops = sops_binary()
    folder = f"{env.work}/sops-rekey"
    os.makedirs(folder)
    for index in range(count):
        path = f"{folder}/s{index:06d}.yaml"
        with open(path, "w") as handle:
            handle.write(f"password: live-value-{index}\n")
        subprocess.run([sops, "--encrypt", "--pgp", first, "--in-place", path], env=env.env, capture_output=True, check=True)
    start = time.perf_counter()
    for index in range(count):
        subprocess.run([sops, "rotate", "--in-place", "--add-pgp", second, f"{folder}/s{index:06d}.yaml"],
                       env=env.env, capture_output=True, check=True)
    sops_seconds = time.perf_counter() - start
    rows.append({"tool": "sops rotate --add-pgp (per file)", "items": count, "seconds": sops_seconds})
    notes = [f"sops / rotor = {sops_seconds / rotor:.1f}x"]
    return [{"name": f"rekey {count:,} values to 2 recipients", "workload": "rekey", "size": count, "rows": rows, "notes": notes}]
