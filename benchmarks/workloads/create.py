"""Workload: create N new secrets in one apply (a team migrating from another tool), against
rotating as many due secrets in one apply."""
from support import generate_repo, sh, timed

TITLE = "Create new secrets in one apply (1k and 10k), against rotating 10k"
AT = "2026-12-01T00:00:00Z"
# Ten projects: a thousand specs per folder at 10k, where a per-path lookup that rereads the
# whole folder shows (100 projects of 100 would hide it).
PROJECTS = 10


def apply(env, repo, state, expect):
    seconds, rss = timed([env.rotor, "apply", "--repo", repo, "--state", state, "--at", AT, "--deliver-timeout", "0"], env=env.env)
    subject = sh(["git", "-C", repo, "log", "-1", "--format=%s"])
    assert expect in subject, subject
    return seconds, rss


def run(env):
    small, large = (30, 300) if env.quick else (1_000, 10_000)
    armored = env.encrypt("old-value")
    rows = []
    created = {}
    for count in (small, large):
        repo = f"{env.work}/create-{count}"
        generate_repo(repo, count, env.fingerprints, armored, AT, with_versions=False, projects=PROJECTS)
        created[count] = apply(env, repo, f"{env.work}/create-state-{count}.db", f"{count} created")
        rows.append({"tool": f"rotor apply: create {count:,}", "items": count, "seconds": created[count][0], "rss_mib": created[count][1]})
    # The same number of due rotations (versions from January, due in December), same layout.
    repo = f"{env.work}/rotate-{large}"
    generate_repo(repo, large, env.fingerprints, armored, "2026-01-01T00:00:00Z", projects=PROJECTS)
    rotated = apply(env, repo, f"{env.work}/rotate-state-{large}.db", f"{large} rotated")
    rows.append({"tool": f"rotor apply: rotate {large:,}", "items": large, "seconds": rotated[0], "rss_mib": rotated[1]})
    growth = created[large][0] / created[small][0]
    versus = created[large][0] / rotated[0]
    factor = large // small
    notes = [f"create {large:,} / create {small:,} = {growth:.1f}x for {factor}x the secrets (goal <= {factor + 2}x: linear)",
             f"create {large:,} / rotate {large:,} = {versus:.2f}x (goal <= 1.0x: creating is no slower than rotating)"]
    return [{"name": f"create {small:,} and {large:,} new secrets in one apply", "workload": "create", "size": large,
             "rows": rows, "notes": notes}]
