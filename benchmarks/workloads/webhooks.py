"""Workload 4: webhook fan-out (N rotations x 3 consumers) against wrk on the same local receiver."""
import json, os, re, resource, shutil, sqlite3, subprocess, sys, time
from support import ROOT, config_yaml, generate_repo, sh, timed
import store_floor

TITLE = "Webhook fan-out: rotations x 3 consumers, against wrk on the same receiver"
CONCURRENCY = 8


def run(env):
    count = 20 if env.quick else 1000
    receiver = subprocess.Popen([sys.executable, os.path.join(ROOT, "benchmarks", "fast_receiver.py")], stdout=subprocess.PIPE, text=True)
    try:
        port = int(receiver.stdout.readline().split()[-1])
        url = f"http://127.0.0.1:{port}"
        repo = f"{env.work}/hooks-{count}"
        armored = env.encrypt("old-value")
        generate_repo(repo, count, env.fingerprints, armored, "2026-01-01T00:00:00Z", with_versions=False)
        add_webhooks(repo, count, url)
        state = f"{env.work}/hooks-state.db"
        sh([env.rotor, "apply", "--repo", repo, "--state", state, "--at", "2026-11-01T00:00:00Z", "--deliver-timeout", "0"], env=env.env)
        sh([env.rotor, "deliver", "--repo", repo, "--state", state, "--at", "2026-11-01T00:00:00Z"], env=env.env)  # the creations
        sh([env.rotor, "apply", "--repo", repo, "--state", state, "--at", "2026-12-05T00:00:00Z", "--deliver-timeout", "0"], env=env.env)
        floor_copy = f"{env.work}/hooks-state-floor.db"
        for suffix in ("", "-wal"):
            if os.path.exists(state + suffix):
                shutil.copy(state + suffix, floor_copy + suffix)
        # The requests rotor sends: the events' bodies, and the Standard Webhooks headers.
        body_size = round(event_body_size(floor_copy))
        output = []
        receiver_before, children_before = cpu_seconds(receiver.pid), children_cpu_seconds()
        seconds, rss = timed([env.rotor, "deliver", "--repo", repo, "--state", state, "--at", "2026-12-05T00:00:00Z",
                              "--concurrency", str(CONCURRENCY), "--format", "json"], env=env.env, stdout=output)
        receiver_cpu, rotor_cpu = cpu_seconds(receiver.pid) - receiver_before, children_cpu_seconds() - children_before
        report = json.loads(output[0])
        deliveries = 3 * count
        delivered = sum(1 for result in report["results"] if result["result"] == "delivered")
        if delivered != deliveries:
            raise RuntimeError(f"rotor deliver delivered {delivered} of {deliveries}")
        pass_seconds, pass_cpu = report["passSeconds"], report["passCPUSeconds"]
        floor_jobs, floor_seconds = store_floor.replay(floor_copy, due_by="2026-12-05T00:00:00Z")
        if floor_jobs != deliveries:
            raise RuntimeError(f"the store replay claimed {floor_jobs} jobs, not {deliveries}")
        rate, pass_rate = deliveries / seconds, deliveries / pass_seconds
        # rotor's HTTP client alone, through the same send queue, to the same receiver: the same
        # number of requests of the same shape, with no store, no signing and no job bookkeeping.
        client_out = sh([env.bench, "send", "--url", f"{url}/svc-a", "--count", str(deliveries), "--concurrency", str(CONCURRENCY),
                         "--size", str(body_size)])
        client_seconds = float(re.search(r" in ([\d.]+) s:", client_out).group(1))
        # wrk twice: with requests of rotor's shape (the same work for the receiver: it reads every
        # header line), and with a bare POST (fewer, shorter headers, which the receiver reads faster).
        duration = 2 if env.quick else 10
        receiver_before = cpu_seconds(receiver.pid)
        wrk_rate, wrk_requests = run_wrk(f"{url}/svc-a", duration, rotor_shaped_script(body_size))
        receiver_cpu_wrk = cpu_seconds(receiver.pid) - receiver_before
        bare_rate, _ = run_wrk(f"{url}/svc-a", duration, BARE_SCRIPT)
        # What bounds the rate: CPU per delivery, rotor's and the receiver's, on a shared machine.
        # At half wrk's rate the receiver alone needs (its CPU per request under rotor) x (that
        # rate) of a core; what is left of the machine is rotor's budget per delivery.
        cores = os.cpu_count() or 1
        per_request_rotor_run = receiver_cpu / deliveries
        goal_rate = wrk_rate / 2
        budget = max(0.0, cores - goal_rate * per_request_rotor_run) / goal_rate
        return [{"name": f"webhook fan-out: {count:,} rotations x 3 consumers ({deliveries:,} signed deliveries)",
                 "workload": "webhooks", "size": count,
                 "rows": [{"tool": "rotor deliver (whole process)", "items": deliveries, "seconds": seconds, "rss_mib": rss},
                          {"tool": "rotor deliver (delivery pass only)", "items": deliveries, "seconds": pass_seconds},
                          {"tool": "store statements alone (sqlite3 replay)", "items": deliveries, "seconds": floor_seconds},
                          {"tool": "rotor's HTTP client alone (rotor-bench send)", "items": deliveries, "seconds": client_seconds},
                          {"tool": f"wrk -c{CONCURRENCY}, rotor's request shape (same receiver)", "items": int(wrk_rate * seconds), "seconds": seconds},
                          {"tool": f"wrk -c{CONCURRENCY}, bare POST (same receiver)", "items": int(bare_rate * seconds), "seconds": seconds}],
                 "notes": [f"rotor: {rate:,.0f} deliveries/s for the whole process, {pass_rate:,.0f}/s in its delivery pass "
                           f"(claims, signing, requests, outcomes; without start-up and reading the repository); "
                           f"wrk with rotor's request shape (the Standard Webhooks headers, a {body_size}-byte body): {wrk_rate:,.0f} requests/s; "
                           f"rotor = {100 * rate / wrk_rate:.0f}% of wrk ({100 * pass_rate / wrk_rate:.0f}% in the pass; goal >= 50%)",
                           f"against wrk with a bare POST (Content-Type only, a 400-byte body): {bare_rate:,.0f} requests/s; "
                           f"rotor = {100 * rate / bare_rate:.0f}% ({100 * pass_rate / bare_rate:.0f}% in the pass)",
                           f"the store's statements alone (benchmarks/store_floor.py): {deliveries / floor_seconds:,.0f} jobs/s = "
                           f"{100 * deliveries / floor_seconds / wrk_rate:.0f}% of wrk, a ceiling for any pass that records every delivery",
                           f"rotor's HTTP client alone (rotor-bench send, no store, no signing): {deliveries / client_seconds:,.0f} requests/s = "
                           f"{100 * deliveries / client_seconds / wrk_rate:.0f}% of wrk",
                           f"CPU per delivery: rotor {1e6 * pass_cpu / deliveries:.0f} us in its pass, all threads "
                           f"({1e6 * rotor_cpu / deliveries:.0f} us for the whole process); the receiver {1e6 * per_request_rotor_run:.0f} us per request under rotor, "
                           f"{1e6 * receiver_cpu_wrk / max(1, wrk_requests):.0f} us under wrk; at half wrk's rate on {cores} cores, "
                           f"the receiver would take {100 * goal_rate * per_request_rotor_run / cores:.0f}% of the machine, "
                           f"leaving rotor {1e6 * budget:.0f} us of CPU per delivery"],
                 "wrk": {"rotor_shape_rate": wrk_rate, "bare_post_rate": bare_rate, "body_bytes": body_size},
                 "cpu": {"rotor_seconds": rotor_cpu, "rotor_pass_seconds": pass_cpu, "receiver_seconds_rotor": receiver_cpu, "receiver_seconds_wrk": receiver_cpu_wrk,
                         "wrk_requests": wrk_requests, "cores": cores}}]
    finally:
        receiver.kill()


def add_webhooks(repo, count, url):
    """Three consumers with webhooks on every secret (one commit)."""
    for index in range(count):
        project, name = f"p{index % 100:02d}", f"s{index:06d}"
        with open(f"{repo}/secrets/{project}/{name}.yaml", "w") as handle:
            handle.write(f"apiVersion: rotor.dev/v1\nkind: Secret\nmetadata:\n  project: {project}\n  name: {name}\nspec:\n"
                         "  policy: bench\n  consumers:\n"
                         + "".join(f"    - service: svc-{c}\n      webhook: {url}/svc-{c}\n" for c in "abc"))
    sh(["git", "-C", repo, "-c", "user.name=bench", "-c", "user.email=b@rotor.invalid", "commit", "-qam", "webhooks"])


BARE_SCRIPT = 'wrk.method = "POST"\nwrk.body = string.rep("x", 400)\nwrk.headers["Content-Type"] = "application/json"\n'


def rotor_shaped_script(body_size):
    """A wrk script whose POSTs look like rotor's deliveries: the same headers, values of the same
    length (an event id, a timestamp, one v1 signature) and a body of the events' size."""
    headers = {"content-type": "application/json", "user-agent": "rotor-webhooks/1",
               "webhook-id": "evt_" + "0" * 32, "webhook-timestamp": "1796515200",
               "webhook-signature": "v1," + "A" * 43 + "="}
    return ('wrk.method = "POST"\n' + f'wrk.body = string.rep("x", {body_size})\n'
            + "".join(f'wrk.headers["{name}"] = "{value}"\n' for name, value in headers.items()))


def event_body_size(state):
    """The mean size of the bodies rotor sent: the payloads of the events its jobs deliver."""
    db = sqlite3.connect(f"file:{state}?mode=ro", uri=True)
    try:
        return db.execute("SELECT AVG(LENGTH(e.payload)) FROM jobs j JOIN events e ON e.id = json_extract(j.payload, '$.event_id') "
                          "WHERE j.status = 'pending'").fetchone()[0] or 400
    finally:
        db.close()


def run_wrk(url, duration, script_text):
    """wrk's request rate against the receiver at the same concurrency, with `script_text`."""
    script = "/tmp/rb-wrk.lua"
    with open(script, "w") as handle:
        handle.write(script_text)
    out = sh(["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{duration}s", "-s", script, url])
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rate, requests


def cpu_seconds(pid):
    """User + system CPU seconds a running process has used (from /proc)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    """User + system CPU seconds of this process's finished children (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
