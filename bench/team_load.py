"""Team-load benchmark: nginx in front of two ``streamlit run`` processes on one PostgreSQL, and 20
concurrent sessions (contexts of one headless Chromium) answering and writing notes on 10 shared
stored cases (two sessions per case, so their writes race and some are refused as conflicts).

Every part is real and started here: a throwaway PostgreSQL (initdb, pg_ctl), the two app processes
(personal mode, one clinician's profile, the shared database), Debian's nginx with the README's
server block (sticky sessions, WebSocket upgrade), Chromium driven by Playwright. Each session makes
``--before`` actions, then one app process is killed with SIGKILL once ``--kill-after`` actions have
been answered (others are under way at that moment), and each session makes ``--after`` more; the
killed process's sessions reconnect through nginx to the other one.

Prints the round trip of an action (from the click or the typed note leaving its box to the page
having drawn the run that applied it) as p50/p95, the counts of actions acknowledged, refused (said
on the page) and in flight at the kill, what the audit trails hold, and ``cases verify``. Exits 1 when
an acknowledged write is missing, a refused one was stored, or a chain is broken.

Run: PYTHONPATH=src .venv/bin/python bench/team_load.py [--sessions 20 --cases 10 --before 6 --after 4]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.pg_support import fresh_database, postgres_server  # noqa: E402
from tests.team_load_support import (  # noqa: E402
    app_env,
    app_processes,
    nginx_proxy,
    percentile,
    routed,
    run_load,
    seed_cases,
    tally,
    trail,
    verify,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--before", type=int, default=6, help="actions per session before the kill")
    parser.add_argument("--after", type=int, default=4, help="actions per session after the kill")
    parser.add_argument("--kill-after", type=int, default=None, help="answered actions before the kill")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--no-kill", action="store_true", help="keep both processes up")
    args = parser.parse_args()
    kill_after = args.kill_after if args.kill_after is not None else args.sessions * args.before // 2

    with postgres_server() as server, tempfile.TemporaryDirectory(prefix="candidacy-load-") as tmp:
        database = fresh_database(server, "team_load")
        cases = seed_cases(database, args.cases)
        env = app_env(database, Path(tmp) / "data")
        with app_processes(env) as (first, second):
            backends = [first.url.removeprefix("http://"), second.url.removeprefix("http://")]
            with nginx_proxy(backends) as (base, _folder):
                print(f"nginx {base} -> {', '.join(backends)}; PostgreSQL {database.split('@')[1]}", flush=True)
                load = asyncio.run(
                    run_load(
                        base,
                        cases,
                        args.sessions,
                        2,
                        args.before,
                        args.after,
                        None if args.no_kill else first.process.kill,
                        kill_after,
                        args.seed,
                    )
                )
        log = ROOT / "tests" / "artifacts" / "team-load-nginx-access.log"
        counts = tally(database, load, cases)
        (ROOT / "tests" / "artifacts" / "team-load-actions.txt").write_text(
            "\n".join(str(a) for a in load.actions)
            + "\n\n"
            + "\n".join(
                f"{c} {e.at:%H:%M:%S.%f} {e.action} {e.item} {e.old!r} -> {e.new!r}"
                for c in cases
                for e in trail(database, c)
            )
        )
        checked = verify(database)

    answered = [a for a in load.actions if a.outcome in ("acknowledged", "refused")]
    answers = [a.seconds * 1000 for a in answered if a.kind == "answer"]
    notes = [a.seconds * 1000 for a in answered if a.kind == "note"]
    print(
        f"{args.sessions} sessions x {args.before}+{args.after} actions on {args.cases} cases, 2 app processes;"
        f" process a killed (SIGKILL) after {kill_after} answered actions"
    )
    print(
        f"answer round trip: p50 {percentile(answers, 50):.0f} ms, p95 {percentile(answers, 95):.0f} ms"
        f" (n={len(answers)})"
    )
    print(f"note round trip:   p50 {percentile(notes, 50):.0f} ms, p95 {percentile(notes, 95):.0f} ms (n={len(notes)})")
    print(
        f"actions: {len(load.actions)}; acknowledged {counts.acknowledged}, refused and said {counts.refused},"
        f" in flight at the kill {counts.unknown}, neither said nor shown {counts.silent};"
        f" sessions restarted after the kill {load.restarts}"
    )
    print(
        f"acknowledged after the kill: {sum(1 for a in load.actions if a.after_kill and a.outcome == 'acknowledged')}"
        f" (of them on the killed process's route: "
        f"{sum(1 for a in load.actions if a.after_kill and a.route == 0 and a.outcome == 'acknowledged')})"
    )
    print(
        f"audit rows of answers and notes: {counts.stored}; acknowledged but not stored: {len(counts.lost)};"
        f" refused but stored: {len(counts.stored_refused)}; stored, no action: {len(counts.unexplained)}"
    )
    pairs = routed(log)
    print(
        "nginx: requests per route cookie and upstream: "
        + ", ".join(f"route {r or '-'} -> {u or '-'}: {n}" for (r, u), n in sorted(pairs.items()))
    )
    said = checked.stdout.strip().splitlines()[0] if checked.stdout.strip() else checked.stderr.strip()
    print(f"cases verify: exit {checked.returncode}: {said}")
    print(f"actions that failed in the browser (session restarted): {len(load.errors)}")
    for line in load.errors + counts.lost + counts.stored_refused + counts.unexplained:
        print("  " + line)
    bad = counts.silent or counts.lost or counts.stored_refused or counts.unexplained or checked.returncode
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
