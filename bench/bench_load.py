"""Load benchmark: POST /api/v1/feedback on gunicorn + PostgreSQL, against a bare Flask endpoint.

    python bench/bench_load.py [--rounds 3] [--duration 10] [--connections 16] [--servers 2]

Starts gunicorn with the production settings (feedback/gunicorn_conf.py) on a private PostgreSQL
schema, and beside it, under the same settings, bench/bare_app.py (the yardstick) and
bench/classify_app.py (the bare endpoint plus classification: the ceiling for any endpoint that
classifies in the request) and bench/store_app.py (the bare endpoint plus the submission's INSERT:
the ceiling for any endpoint that stores what it acknowledges, on this machine). Drives each in turn with wrk
(``apt-get install -y wrk``; bench/feedback.lua gives every request its own Idempotency-Key and a
comment from the seed corpus, most with a typo, so the classifier keeps meeting new words as in
real traffic) for a few alternating rounds, because a shared machine's speed drifts from one
minute to the next; then drives ours at a fixed rate of 70% of its median peak. Prints each
round's throughputs and ratio, the median ratio, p50 and p99 latencies, and per line the CPU time
per request of the server (gunicorn master and workers) and of PostgreSQL, which other work on
the machine skews far less than requests per second, and the share of the CPU that work outside
this benchmark (its servers, wrk and PostgreSQL) took meanwhile. Loopback only; bounded.

``--servers N`` adds the README's production layout to every round: N Rəy servers sharing one
server's workers, on the same database, behind nginx (bench/servers.py), driven through nginx.
Their submissions count in the acknowledged-and-stored check too.

The database comes from --database-url, BENCH_DATABASE_URL or TEST_DATABASE_URL (default: the local
``test`` database); the model from --models or REY_MODELS_DIR (default: models/, trained if absent).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from servers import Cluster, Gunicorn, Nginx  # noqa: E402

GOAL_RATIO = 0.60
GOAL_P99_MS = 100.0
LOAD_FRACTION = 0.70


class Database:
    """A schema of its own with one center, dropped afterwards."""

    def __init__(self, url: str):
        import sqlalchemy as sa

        from feedback.config import sqlalchemy_url

        self.url, self.schema = url, f"rey_bench_{os.getpid()}_{secrets.token_hex(3)}"
        self.engine = sa.create_engine(sqlalchemy_url(url))
        with self.engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
        from factories import make_center
        from feedback import create_app
        from feedback.extensions import db

        app = create_app({
            "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url),
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={self.schema}"}},
        })
        with app.app_context():
            db.create_all()
            make_center("bench-1")
            db.session.remove()
            db.engine.dispose()

    @property
    def env_url(self) -> str:
        return f"{self.url}?options=-csearch_path%3D{self.schema}"

    def count(self, table: str) -> int:
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            return conn.scalar(sa.text(f'SELECT count(*) FROM "{self.schema}"."{table}"'))

    def drop(self) -> None:
        import sqlalchemy as sa

        with self.engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.engine.dispose()


def _machine_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK"), sum(ticks) / os.sysconf("SC_CLK_TCK")


def _postgres_seconds() -> float:
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if not (entry / "cmdline").read_bytes().startswith(b"postgres"):
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once waited for
    return usage.ru_utime + usage.ru_stime


def measured(server: Gunicorn, **wrk_args) -> dict:
    """wrk's figures, the server's CPU milliseconds per request (which a busy machine skews far less
    than req/s), and the share of the machine's CPU that other work took meanwhile."""
    before = server.cpu_seconds(), _postgres_seconds(), _children_seconds(), _machine_seconds()
    result = wrk(server.url, **wrk_args)
    after = server.cpu_seconds(), _postgres_seconds(), _children_seconds(), _machine_seconds()
    ours = sum(a - b for a, b in zip(after[:3], before[:3]))
    busy, total = (a - b for a, b in zip(after[3], before[3]))
    result["cpu_ms"] = (after[0] - before[0]) * 1000 / max(result["requests"], 1)
    result["db_ms"] = (after[1] - before[1]) * 1000 / max(result["requests"], 1)
    result["others"] = max(busy - ours, 0.0) / total if total else 0.0
    return result


def write_comments(path: Path, typos: int = 5) -> int:
    """Comments for feedback.lua, one per line as JSON string contents: the seed corpus's, and for
    each a few copies with a typo (two neighbouring letters of one word swapped, as thumbs on a
    phone do). Real traffic keeps bringing words the classifier has not met; the corpus alone is
    known by heart after a minute of load."""
    from ml.data import read_datasets

    rng = random.Random(0)
    lines = []
    for text in read_datasets([str(ROOT / "ml" / "corpus")]).texts:
        words = text.split(" ")
        long_words = [i for i, word in enumerate(words) if len(word) >= 4]
        lines.append(text)
        for _ in range(typos if long_words else 0):
            i = rng.choice(long_words)
            j = rng.randrange(len(words[i]) - 1)
            word = words[i]
            lines.append(" ".join([*words[:i], word[:j] + word[j + 1] + word[j] + word[j + 2:], *words[i + 1:]]))
    rng.shuffle(lines)
    path.write_text("".join(json.dumps(line, ensure_ascii=False)[1:-1] + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def wrk(url: str, *, duration: int, connections: int, rate: float = 0.0, comments: Path | None = None) -> dict:
    env = {**os.environ, "BENCH_RATE": str(rate), "BENCH_THREADS": "2", "BENCH_CENTER": "bench-1",
           "BENCH_COMMENTS": str(comments or "")}
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s",
         "-s", str(ROOT / "bench" / "feedback.lua"), url],
        capture_output=True, text=True, env=env, timeout=duration + 60, check=True,
    ).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    for pct in ("50", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        result[f"p{pct}"] = float(value) * units[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    result["non2xx"] = int(bad.group(1)) if bad else 0
    result["socket_errors"] = errors.group(0) if errors else ""
    result["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    return result


def models_dir(given: str | None) -> Path:
    path = Path(given or os.environ.get("REY_MODELS_DIR") or ROOT / "models")
    if (path / "CURRENT").exists():
        return path
    path = Path(tempfile.mkdtemp(prefix="rey-bench-models-"))
    print(f"no current model; training one into {path} (a few minutes)", flush=True)
    subprocess.run([sys.executable, "-m", "ml", "train", "--data", str(ROOT / "ml" / "corpus"),
                    "--out", str(path / "bench"), "--promote"], cwd=ROOT, check=True, capture_output=True)
    return path


def _line(name: str, r: dict) -> str:
    return (f"  {name:<34} {r['rps']:8.0f} req/s   p50 {r['p50']:7.1f} ms   p99 {r['p99']:7.1f} ms"
            f"   CPU ms/request: server {r['cpu_ms']:5.2f}, PostgreSQL {r['db_ms']:4.2f}"
            f"   other work {r['others']:4.0%} of the CPU"
            f"   ({r['requests']} requests, non-2xx {r['non2xx']}{', ' + r['socket_errors'] if r['socket_errors'] else ''})")


def _peaks(servers: dict[str, Gunicorn], *, rounds: int, **wrk_args) -> list:
    """Alternate the servers' peak runs, reversing their order each round, so that other work on a
    shared machine hits all alike; each round's ratios compare runs seconds apart."""
    results = []
    for index in range(rounds):
        order = list(servers.items())[:: 1 if index % 2 == 0 else -1]
        results.append({name: measured(server, **wrk_args) for name, server in order})
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="peak runs of each server, alternating")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--servers", type=int, default=1,
                        help="also drive this many Rəy servers behind nginx (apt-get install -y nginx), "
                             "sharing the workers of one server between them, in the same rounds")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL")
                        or os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--models")
    parser.add_argument("--comments", choices=["corpus", "eight"], default="corpus",
                        help="the seed corpus's comments and copies with typos, in random order, or "
                             "eight fixed ones the classifier soon knows by heart (earlier rounds' figures)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    if args.servers > 1 and not shutil.which("nginx"):
        print("--servers needs nginx: apt-get install -y nginx", file=sys.stderr)
        return 2

    models = models_dir(args.models)
    # Other work on the machine skews every figure: print the load the run started under.
    load = os.getloadavg()[0]
    database = Database(args.database_url)
    logs = Path(tempfile.mkdtemp(prefix="rey-bench-"))
    comments = logs / "comments.txt" if args.comments == "corpus" else None
    if comments:
        count = write_comments(comments)
    load_args = {"duration": args.duration, "connections": args.connections, "comments": comments}
    env = {
        **os.environ,
        "DATABASE_URL": database.env_url,
        "SECRET_KEY": secrets.token_hex(16),
        "REY_MODELS_DIR": str(models),
        "REY_RATELIMIT": "0",  # one client address sends everything; limits would measure 429s
        "REY_ACCESS_LOG": str(logs / "access.log"),
    }
    workers = int(os.environ.get("REY_WORKERS", 2 * os.cpu_count()))
    try:
        # The servers run side by side; those not being driven sit idle.
        with ExitStack() as running:
            rey = running.enter_context(Gunicorn(env, None, logs / "rey.log"))
            bare = running.enter_context(Gunicorn(env, "bench.bare_app:app", logs / "bare.log"))
            ceiling = running.enter_context(Gunicorn(env, "bench.classify_app:app", logs / "classify.log"))
            store = running.enter_context(Gunicorn(env, "bench.store_app:app", logs / "store.log"))
            servers = {"ours": rey, "bare": bare, "ceiling": ceiling, "store": store}
            if args.servers > 1:
                # One server's workers shared out, so the line compares the setups, not more workers.
                share = {**env, "REY_WORKERS": str(max(1, workers // args.servers))}
                members = [running.enter_context(Gunicorn(share, None, logs / f"rey-{i}.log"))
                           for i in range(args.servers)]
                balancer = running.enter_context(Nginx([m.port for m in members], logs / "nginx"))
                servers["cluster"] = Cluster(balancer, members)
            for server in servers.values():
                wrk(server.url, **{**load_args, "duration": 2})  # warm connections and caches
            before = database.count("submissions")
            rounds = _peaks(servers, rounds=args.rounds, **load_args)
            target = median(r["ours"]["rps"] for r in rounds) * LOAD_FRACTION
            paced = measured(rey, **load_args, rate=target)
        # wrk drops answers still in flight when time is up, so the server may have stored a few more.
        stored = database.count("submissions") - before
        driven = [r[name] for r in rounds for name in ("ours", "cluster", "store") if name in r]
        acknowledged = sum(r["requests"] - r["non2xx"] for r in [*driven, paced])
    finally:
        database.drop()

    ratios = [r["ours"]["rps"] / r["bare"]["rps"] for r in rounds]
    ratio = median(ratios)
    ceilings = [r["ceiling"]["rps"] / r["bare"]["rps"] for r in rounds]
    stores = [r["store"]["rps"] / r["bare"]["rps"] for r in rounds]
    print(f"machine: {os.cpu_count()} cores, load average before {load:.2f} (other work on the machine, "
          f"shown per line, lowers every req/s figure); gunicorn "
          f"{os.environ.get('REY_WORKER_CLASS', 'gthread')}, workers {workers}"
          f"{'' if 'REY_WORKERS' in os.environ else ' (2 x cores)'}, "
          f"threads {os.environ.get('REY_THREADS', '4')}; wrk -t2 "
          f"-c{args.connections} -d{args.duration}s; PostgreSQL; model {(models / 'CURRENT').read_text().strip()}; "
          f"comments: {f'{count} from the corpus, most with a typo' if comments else 'eight fixed ones'}")
    for index, (pair, each, ceiling, stored_only) in enumerate(zip(rounds, ratios, ceilings, stores), 1):
        print(f"round {index}: ratio {each:.0%} (classification alone {ceiling:.0%}, storing alone {stored_only:.0%})")
        print(_line("bare Flask endpoint (peak)", pair["bare"]))
        print(_line("bare + classification (peak)", pair["ceiling"]))
        print(_line("bare + storing (peak)", pair["store"]))
        print(_line("POST /api/v1/feedback (peak)", pair["ours"]))
        if "cluster" in pair:
            print(_line(f"the same via nginx, {args.servers} servers", pair["cluster"]))
    print(_line(f"POST /api/v1/feedback at {target:.0f} req/s", paced))
    print(f"  submissions acknowledged {acknowledged}, stored {stored}"
          f" ({'none lost' if stored >= acknowledged else 'SOME LOST'})")
    print(f"  throughput ratio, median of {len(ratios)} rounds: {ratio:.0%} of bare "
          f"(rounds {', '.join(f'{r:.0%}' for r in ratios)}; goal >= {GOAL_RATIO:.0%}: "
          f"{'met' if ratio >= GOAL_RATIO else 'NOT met'})")
    print(f"  ceiling, the bare endpoint that only classifies the comment: {median(ceilings):.0%} of bare "
          f"(rounds {', '.join(f'{r:.0%}' for r in ceilings)}); no endpoint that classifies in the request "
          f"can pass it")
    print(f"  ceiling, the bare endpoint that only stores the submission: {median(stores):.0%} of bare "
          f"(rounds {', '.join(f'{r:.0%}' for r in stores)}); no endpoint that stores what it acknowledges, "
          f"on a machine that also runs the database, can pass it")
    print(f"  server CPU per request, medians: bare {median(r['bare']['cpu_ms'] for r in rounds):.2f} ms, "
          f"bare + classification {median(r['ceiling']['cpu_ms'] for r in rounds):.2f} ms, "
          f"bare + storing {median(r['store']['cpu_ms'] for r in rounds):.2f} + "
          f"{median(r['store']['db_ms'] for r in rounds):.2f} ms (PostgreSQL), "
          f"ours {median(r['ours']['cpu_ms'] for r in rounds):.2f} ms")
    if args.servers > 1:
        shares = [r["cluster"]["rps"] / r["ours"]["rps"] for r in rounds]
        print(f"  {args.servers} servers of {max(1, workers // args.servers)} workers behind nginx, against one "
              f"server of {workers}: {median(shares):.0%} of its throughput (rounds "
              f"{', '.join(f'{r:.0%}' for r in shares)}); server CPU per request "
              f"{median(r['cluster']['cpu_ms'] for r in rounds):.2f} ms, nginx included")
    print(f"  p99 at {LOAD_FRACTION:.0%} of our median peak: {paced['p99']:.1f} ms (goal <= {GOAL_P99_MS:.0f} ms: "
          f"{'met' if paced['p99'] <= GOAL_P99_MS else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
