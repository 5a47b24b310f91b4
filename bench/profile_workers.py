"""Where a gunicorn worker's Python time goes under the load benchmark's traffic.

    python bench/profile_workers.py [--duration 15] [--workers 2]

Starts Rəy under gunicorn with the production settings on a private PostgreSQL schema (as
bench/bench_load.py does), drives POST /api/v1/feedback with wrk and the corpus's comments with
typos, and meanwhile samples workers with py-spy (``pip install py-spy``; root or ptrace rights).
py-spy runs with ``--gil``: it samples only the thread holding the GIL, so waiting on the database
or the network does not count, and the shares are of the CPU time Python spends. Prints the share of
samples in each stage of a submission and the functions that hold the most.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from bench_load import Database, models_dir, wrk, write_comments  # noqa: E402
from servers import Gunicorn  # noqa: E402

#: A stage of a submission and the frames that mark it (a sample counts once per stage).
STAGES = {
    "classifying": ("ComplaintClassifier.judge",),
    "storing": ("store_submission",),
    "the form (building and validating)": ("PageForm.__init__", "Form.validate"),
    "gunicorn reading the request": ("gunicorn/http/",),
    "log lines (the app's and the access log)": ("logging/__init__.py", "gunicorn/glogging.py"),
    "input guard": ("feedback/input_guard.py",),
}
_FRAME = re.compile(r"(.*?) \((.*?):\d+\)")


def _frames(stack: str) -> list[str]:
    """``function (path)`` per frame, the path from site-packages or the project on."""
    frames = []
    for frame in stack.split(";"):
        match = _FRAME.match(frame)
        if match:
            path = match.group(2).split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            frames.append(f"{match.group(1)} ({path})")
    return frames


def summarise(raw_files: list[Path]) -> tuple[int, Counter, Counter]:
    """Total samples, samples per stage and samples per function (inclusive), from py-spy's raw output."""
    total, stages, functions = 0, Counter(), Counter()
    for path in raw_files:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n, frames = int(count), _frames(stack)
            total += n
            for stage, marks in STAGES.items():
                if any(mark in frame for frame in frames for mark in marks):
                    stages[stage] += n
            for frame in set(frames):
                functions[frame] += n
    return total, stages, functions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds of sampling")
    parser.add_argument("--workers", type=int, default=2, help="workers to sample")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL")
                        or os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists() or not shutil.which("wrk"):
        raise SystemExit("needs py-spy (pip install py-spy) and wrk (apt-get install -y wrk)")

    database = Database(args.database_url)
    logs = Path(tempfile.mkdtemp(prefix="rey-profile-"))
    comments = logs / "comments.txt"
    write_comments(comments)
    env = {**os.environ, "DATABASE_URL": database.env_url, "SECRET_KEY": secrets.token_hex(16),
           "REY_MODELS_DIR": str(models_dir(None)), "REY_RATELIMIT": "0",
           "REY_ACCESS_LOG": str(logs / "access.log")}
    try:
        with Gunicorn(env, None, logs / "rey.log") as server:
            wrk(server.url, duration=5, connections=args.connections, comments=comments)  # warm the caches
            workers = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True,
                                     text=True, check=True).stdout.split()[: args.workers]
            load = threading.Thread(target=wrk, args=(server.url,), kwargs={
                "duration": args.duration + 6, "connections": args.connections, "comments": comments})
            load.start()
            time.sleep(3)
            outputs = [logs / f"spy-{pid}.txt" for pid in workers]
            samplers = [subprocess.Popen([spy, "record", "--pid", pid, "--duration", str(args.duration),
                                          "--rate", "200", "--gil", "--nonblocking", "--format", "raw",
                                          "--output", str(out)], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
                        for pid, out in zip(workers, outputs)]
            for sampler in samplers:
                sampler.wait()
            load.join()
    finally:
        database.drop()
    total, stages, functions = summarise([out for out in outputs if out.exists()])
    if not total:
        raise SystemExit(f"py-spy recorded nothing (ptrace rights?); logs in {logs}")
    print(f"{total} samples of the GIL's holder in {len(outputs)} workers over {args.duration} s")
    for stage, n in sorted(stages.items(), key=lambda item: -item[1]):
        print(f"  {100 * n / total:5.1f}%  {stage}")
    print("functions holding the most (inclusive):")
    wanted = (name for name, _ in functions.most_common() if not name.startswith(("Thread", "_worker", "_WorkItem")))
    for name in list(wanted)[:20]:
        print(f"  {100 * functions[name] / total:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
