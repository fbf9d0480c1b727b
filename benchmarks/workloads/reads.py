"""Workload 5: the thundering herd after a rotation: audited value reads through the API."""
import os, re, sqlite3, subprocess, time
from support import sh

TITLE = "Value reads through the API (GET …/value with a bearer key), against /healthz and rotor get"
AT = "2026-12-01T00:00:00Z"
CONNECTIONS = [64, 256]

READER = """apiVersion: rotor.dev/v1
kind: ApiKey
metadata:
  project: payments
  name: billing-reader
spec:
  type: service_role
  scopes: [rotor:values:read]
  policy: bench-keys
  consumers:
    - service: billing-api
"""
POLICY = """apiVersion: rotor.dev/v1
kind: KeyPolicy
metadata:
  name: bench-keys
spec:
  rotateEvery: 30d
  overlap: 24h
"""


def run(env):
    duration = 2 if env.quick else 10
    repo = f"{env.work}/reads"
    sh([env.rotor, "init", repo, "--recipient", env.fingerprints[0], "--at", AT], env=env.env)
    for path, text in [("policies/bench-keys.yaml", POLICY), ("keys/payments/billing-reader.yaml", READER)]:
        os.makedirs(os.path.dirname(f"{repo}/{path}"), exist_ok=True)
        with open(f"{repo}/{path}", "w") as handle:
            handle.write(text)
    sh(["git", "-C", repo, "add", "-A"])
    sh(["git", "-C", repo, "-c", "user.name=bench", "-c", "user.email=bench@rotor.invalid", "commit", "-qm", "a reader key"])
    state = f"{env.work}/reads-state.db"
    sh([env.rotor, "apply", "--repo", repo, "--state", state, "--at", AT, "--deliver-timeout", "0"], env=env.env)
    key = sh([env.rotor, "get", "payments/billing-reader", "--key", "--no-newline", "--repo", repo, "--state", state, "--at", AT], env=env.env)

    # rotor get, once per read: what a consumer must do without the API.
    count = 5 if env.quick else 20
    start = time.monotonic()
    for _ in range(count):
        sh([env.rotor, "get", "payments/db-password", "--no-newline", "--repo", repo, "--state", state, "--at", AT], env=env.env)
    get_seconds = (time.monotonic() - start) / count

    log = open(f"{env.work}/reads-serve.log", "w")
    server = subprocess.Popen([env.rotor, "serve", "--repo", repo, "--state", state, "--listen", "127.0.0.1:0", "--at", "2026-12-01T01:00:00Z",
                               "--log-format", "json"], env=env.env, stdout=log, stderr=log)
    try:
        url = wait_for_url(log.name, server)
        # The key goes to wrk in a Lua script (a 0600 file), never on its command line.
        script = f"{env.work}/reads.lua"
        with open(os.open(script, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
            handle.write(f'wrk.headers["Authorization"] = "Bearer {key}"\n')
        # One read first: the value is decrypted once per version, then served from memory.
        sh(["curl", "-sf", "-o", "/dev/null", "-K", "-", f"{url}/v1/secrets/payments/db-password/value"],
           input=f'header = "Authorization: Bearer {key}"\n')
        rows_before = audit_rows(state)
        served_before = served(url)
        results = []
        for connections in CONNECTIONS:
            health = wrk(f"{url}/healthz", connections, duration)
            reads = wrk(f"{url}/v1/secrets/payments/db-password/value", connections, duration, script)
            results.append((connections, health, reads))
        # Requests wrk left in flight finish after it stops: count once the server is quiet.
        answered = settled(lambda: served(url)) - served_before
        rows = audit_rows(state) - rows_before
        wrk_ok = sum(r["requests"] - r["non2xx"] for _, _, r in results)
    finally:
        server.terminate()
        server.wait(timeout=30)
    logged = open(log.name).read()
    return [report(results, get_seconds, rows, answered, wrk_ok, duration, key in logged)]


def wait_for_url(path, server):
    for _ in range(600):
        found = re.search(r"rotor: serving (\S+)", open(path).read())
        if found:
            return found.group(1)
        if server.poll() is not None:
            raise RuntimeError(f"rotor serve exited: {open(path).read()[-2000:]}")
        time.sleep(0.1)
    raise RuntimeError("rotor serve did not start")


def settled(read):
    """`read()` once two readings 0.2 s apart agree."""
    previous = read()
    while True:
        time.sleep(0.2)
        current = read()
        if current == previous:
            return current
        previous = current


def wrk(url, connections, duration, script=None):
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"] + (["-s", script] if script else []) + [url]
    out = sh(cmd)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "p99_ms": latency_ms(re.search(r"99%\s+([\d.]+)(us|ms|s)", out))}


def latency_ms(match):
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def audit_rows(state):
    with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM audit_log WHERE action = 'secret.accessed'").fetchone()[0]


def served(url):
    """The server's own count of 200s for value reads (its /metrics)."""
    text = sh(["curl", "-sf", f"{url}/metrics"])
    found = re.search(r'rotor_http_requests_total\{route="/v1/secrets/\{project\}/\{name\}/value",method="GET",status="200"\} (\d+)', text)
    return int(found.group(1)) if found else 0


def report(results, get_seconds, rows, answered, wrk_ok, duration, leaked):
    notes, rows_out = [], []
    for connections, health, reads in results:
        share = reads["rate"] / health["rate"]
        notes.append(f"{connections} connections: value reads {reads['rate']:,.0f}/s (p99 {reads['p99_ms']:.1f} ms, {reads['non2xx']} non-2xx), "
                     f"/healthz {health['rate']:,.0f}/s (p99 {health['p99_ms']:.1f} ms): reads = {100 * share:.0f}% of /healthz (goal >= 25%)"
                     + (f"; p99 goal <= 50 ms: {'met' if reads['p99_ms'] <= 50 else 'missed'}" if connections == 256 else ""))
        rows_out.append({"tool": f"rotor serve, audited value reads, {connections} connections", "items": int(reads["rate"] * duration),
                         "seconds": duration, "p99_ms": reads["p99_ms"]})
        rows_out.append({"tool": f"rotor serve, /healthz (no auth, no store), {connections} connections", "items": int(health["rate"] * duration),
                         "seconds": duration, "p99_ms": health["p99_ms"]})
    best = max(reads["rate"] for _, _, reads in results)
    rows_out.append({"tool": "rotor get, one process per read", "items": 1, "seconds": get_seconds})
    notes.append(f"rotor get per read: {1000 * get_seconds:.0f} ms ({1 / get_seconds:.1f}/s); API reads = {best * get_seconds:,.0f}x (goal >= 100x)")
    notes.append(f"audit rows written {rows:,}; 200s the server answered {answered:,} ({'equal' if rows == answered else 'NOT equal'}); "
                 f"200s wrk saw {wrk_ok:,} (wrk stops with requests in flight: those were audited and answered, not counted by wrk)")
    notes.append("the reader's key in the server's log: " + ("FOUND" if leaked else "no"))
    return {"name": "value reads after a rotation: wrk with a bearer key on GET …/value, beside /healthz, and rotor get per read",
            "workload": "reads", "rows": rows_out, "notes": notes,
            "reads": [{"connections": c, "health": h, "reads": r} for c, h, r in results],
            "rotor_get_seconds": get_seconds, "audit_rows": rows, "served_200": answered, "wrk_200": wrk_ok}
