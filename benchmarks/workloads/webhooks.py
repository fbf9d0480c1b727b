"""Workload 4: webhook fan-out (N rotations x 3 consumers) against wrk on the same local receiver."""
import json, os, re, resource, shutil, sqlite3, statistics, subprocess, sys
from support import ROOT, generate_repo, sh, timed
import store_floor

TITLE = "Webhook fan-out: rotations x 3 consumers, against wrk on the same receiver"
CONCURRENCY = 8


# The pass lasts a fraction of a second, so one measurement says as much about the host as
# about rotor: in one hour the same build measured 22% to 65% of wrk. Each round repeats the
# whole comparison on a fresh copy of the same store (wrk, rotor, the store alone, the client
# alone), and each tool's figure is its median over the rounds: the ratios are ratios of
# medians. (Pairing each pass with the wrk run just before it did not help: a 0.17 s pass and
# a 4 s wrk run do not meet the same moments of a busy host.) Every round's rates are kept.
ROUNDS = 5


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
        # The store with the 3 x count deliveries due, kept aside: every round starts from a copy.
        pristine = f"{env.work}/hooks-state-pristine.db"
        copy_store(state, pristine)
        # The requests rotor sends: the events' bodies, and the Standard Webhooks headers.
        body_size = round(event_body_size(pristine))
        deliveries = 3 * count
        rounds = [one_round(env, receiver, repo, pristine, state, url, deliveries, body_size) for _ in range(1 if env.quick else ROUNDS)]
        # wrk with a bare POST (fewer, shorter headers, which the receiver reads faster), once.
        bare_rate, _ = run_wrk(f"{url}/svc-a", 2 if env.quick else 5, BARE_SCRIPT)
        return [report(rounds, count, deliveries, body_size, bare_rate)]
    finally:
        receiver.kill()


def one_round(env, receiver, repo, pristine, state, url, deliveries, body_size):
    """wrk, rotor, the store alone and the client alone, one after the other, on the same work."""
    figures = {}
    # wrk with requests of rotor's shape: the same work for the receiver (it reads every header line).
    receiver_before = cpu_seconds(receiver.pid)
    figures["wrk_rate"], figures["wrk_requests"] = run_wrk(f"{url}/svc-a", 2 if env.quick else 4, rotor_shaped_script(body_size))
    figures["receiver_cpu_wrk"] = cpu_seconds(receiver.pid) - receiver_before
    copy_store(pristine, state)
    os.sync()
    output = []
    receiver_before, children_before = cpu_seconds(receiver.pid), children_cpu_seconds()
    figures["seconds"], figures["rss"] = timed([env.rotor, "deliver", "--repo", repo, "--state", state, "--at", "2026-12-05T00:00:00Z",
                                               "--concurrency", str(CONCURRENCY), "--format", "json"], env=env.env, stdout=output)
    figures["receiver_cpu"] = cpu_seconds(receiver.pid) - receiver_before
    figures["rotor_cpu"] = children_cpu_seconds() - children_before
    answer = json.loads(output[0])
    delivered = sum(1 for result in answer["results"] if result["result"] == "delivered")
    if delivered != deliveries:
        raise RuntimeError(f"rotor deliver delivered {delivered} of {deliveries}")
    figures["pass_seconds"], figures["pass_cpu"] = answer["passSeconds"], answer["passCPUSeconds"]
    # The store's statements alone, on a copy of the same store (the replay writes to it).
    floor_copy = state + "-floor"
    copy_store(pristine, floor_copy)
    floor_jobs, figures["floor_seconds"] = store_floor.replay(floor_copy, due_by="2026-12-05T00:00:00Z")
    if floor_jobs != deliveries:
        raise RuntimeError(f"the store replay claimed {floor_jobs} jobs, not {deliveries}")
    # rotor's HTTP client alone, through the same send queue, to the same receiver: the same
    # number of requests of the same shape, with no store, no signing and no job bookkeeping.
    client_out = sh([env.bench, "send", "--url", f"{url}/svc-a", "--count", str(deliveries), "--concurrency", str(CONCURRENCY),
                     "--size", str(body_size)])
    figures["client_seconds"] = float(re.search(r" in ([\d.]+) s:", client_out).group(1))
    return figures


def report(rounds, count, deliveries, body_size, bare_rate):
    """Each tool's median over the rounds, and every round's rates."""
    median = lambda key: statistics.median(r[key] for r in rounds)
    wrk_rate, seconds, pass_seconds = median("wrk_rate"), median("seconds"), median("pass_seconds")
    floor_seconds, client_seconds = median("floor_seconds"), median("client_seconds")
    rate, pass_rate = deliveries / seconds, deliveries / pass_seconds
    pass_cpu, rotor_cpu = median("pass_cpu"), median("rotor_cpu")
    receiver_cpu = median("receiver_cpu")
    receiver_per_request_wrk = statistics.median(r["receiver_cpu_wrk"] / max(1, r["wrk_requests"]) for r in rounds)
    # What bounds the rate: CPU per delivery, rotor's and the receiver's, on a shared machine.
    # At half wrk's rate the receiver alone needs (its CPU per request under rotor) x (that
    # rate) of a core; what is left of the machine is rotor's budget per delivery.
    cores = os.cpu_count() or 1
    per_request_rotor_run = receiver_cpu / deliveries
    goal_rate = wrk_rate / 2
    budget = max(0.0, cores - goal_rate * per_request_rotor_run) / goal_rate
    rates = lambda values: ", ".join(f"{value:,.0f}" for value in values)
    wrk_rates = [r["wrk_rate"] for r in rounds]
    spread = (max(wrk_rates) - min(wrk_rates)) / statistics.median(wrk_rates)
    return {"name": f"webhook fan-out: {count:,} rotations x 3 consumers ({deliveries:,} signed deliveries)",
            "workload": "webhooks", "size": count,
            "rows": [{"tool": "rotor deliver (whole process)", "items": deliveries, "seconds": seconds, "rss_mib": median("rss")},
                     {"tool": "rotor deliver (delivery pass only)", "items": deliveries, "seconds": pass_seconds},
                     {"tool": "store statements alone (sqlite3 replay)", "items": deliveries, "seconds": floor_seconds},
                     {"tool": "rotor's HTTP client alone (rotor-bench send)", "items": deliveries, "seconds": client_seconds},
                     {"tool": f"wrk -c{CONCURRENCY}, rotor's request shape (same receiver)", "items": int(wrk_rate * seconds), "seconds": seconds},
                     {"tool": f"wrk -c{CONCURRENCY}, bare POST (same receiver)", "items": int(bare_rate * seconds), "seconds": seconds}],
            "notes": [f"{len(rounds)} round(s), each wrk then rotor then the store alone then the client alone on a fresh copy of the same store; "
                      f"every figure is the median over the rounds. By round, per second: wrk {rates(wrk_rates)}; "
                      f"rotor's pass {rates(deliveries / r['pass_seconds'] for r in rounds)}; "
                      f"the whole process {rates(deliveries / r['seconds'] for r in rounds)}"
                      + (f" (wrk varied by {100 * spread:.0f}% of its median across the rounds: a busy host)" if spread > 0.25 else ""),
                      f"rotor: {rate:,.0f} deliveries/s for the whole process, {pass_rate:,.0f}/s in its delivery pass "
                      f"(claims, signing, requests, outcomes; without start-up and reading the repository); "
                      f"wrk with rotor's request shape (the Standard Webhooks headers, a {body_size}-byte body): {wrk_rate:,.0f} requests/s; "
                      f"rotor = {100 * rate / wrk_rate:.0f}% of wrk ({100 * pass_rate / wrk_rate:.0f}% in the pass; goal >= 20%)",
                      f"against wrk with a bare POST (Content-Type only, a 400-byte body; measured once, after the rounds): {bare_rate:,.0f} requests/s; "
                      f"rotor = {100 * rate / bare_rate:.0f}% ({100 * pass_rate / bare_rate:.0f}% in the pass)",
                      f"the store's statements alone (benchmarks/store_floor.py): {deliveries / floor_seconds:,.0f} jobs/s = "
                      f"{100 * deliveries / floor_seconds / wrk_rate:.0f}% of wrk, a ceiling for any pass that records every delivery",
                      f"rotor's HTTP client alone (rotor-bench send, no store, no signing): {deliveries / client_seconds:,.0f} requests/s = "
                      f"{100 * deliveries / client_seconds / wrk_rate:.0f}% of wrk",
                      f"CPU per delivery: rotor {1e6 * pass_cpu / deliveries:.0f} us in its pass, all threads "
                      f"({1e6 * rotor_cpu / deliveries:.0f} us for the whole process); the receiver {1e6 * per_request_rotor_run:.0f} us per request under rotor, "
                      f"{1e6 * receiver_per_request_wrk:.0f} us under wrk; at half wrk's rate on {cores} cores, "
                      f"the receiver would take {100 * goal_rate * per_request_rotor_run / cores:.0f}% of the machine, "
                      f"leaving rotor {1e6 * budget:.0f} us of CPU per delivery"],
            "wrk": {"rotor_shape_rate": wrk_rate, "bare_post_rate": bare_rate, "body_bytes": body_size},
            "cpu": {"rotor_seconds": rotor_cpu, "rotor_pass_seconds": pass_cpu, "receiver_seconds_rotor": receiver_cpu,
                    "receiver_seconds_wrk_per_request": receiver_per_request_wrk, "cores": cores},
            "rounds": rounds}


def copy_store(source, target):
    """A copy of a SQLite store and its write-ahead log (what is left of the target's is removed)."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.unlink(target + suffix)
    for suffix in ("", "-wal"):
        if os.path.exists(source + suffix):
            shutil.copy(source + suffix, target + suffix)


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
