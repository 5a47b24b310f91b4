"""Print the classifier's speed figures (run: ``.venv/bin/python bench/bench_classifier.py``).

- batch prediction, comments/s on one core (pinned to one CPU, BLAS/OpenMP threads to 1), in a
  fresh process that has just loaded the model: its first batch of 20,000 comments (cold caches)
  and the next, different batch; by the clock and by the process's CPU time (the two differ when
  the machine is busy);
- single-comment median latency inside that process (same core);
- training time on 100,000 synthetic comments (corpus resampled and perturbed);
- model folder size and load time.
Pass ``--card DIR`` to measure that model (size, load, scoring) and record the figures under
"speed" in DIR/card.json.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
from contextlib import contextmanager  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ml.data import read_datasets  # noqa: E402
from ml.pipeline import build_pipeline  # noqa: E402
from ml.registry import save  # noqa: E402
from ml.train import CHAR_NGRAMS, N_FEATURES  # noqa: E402

_TYPO = str.maketrans({"ə": "e", "ı": "i", "ş": "s", "ç": "c", "ğ": "g", "ö": "o", "ü": "u"})


def perturb(text: str, rng: random.Random) -> str:
    """A plausible variant: letters dropped as on phones, case changed, a word repeated, etc."""
    roll = rng.random()
    if roll < 0.25:
        return text.translate(_TYPO)
    if roll < 0.4:
        return text.upper()
    if roll < 0.55:
        words = text.split()
        i = rng.randrange(len(words))
        return " ".join(words[: i + 1] + words[i:])
    if roll < 0.7:
        return text + rng.choice([" !!!", " :(", " 😡", " 👍", " :)", " ..."])
    return text


def synthetic(ds, n: int, seed: int = 0):
    rng = random.Random(seed)
    idx = [rng.randrange(len(ds.texts)) for _ in range(n)]
    return [perturb(ds.texts[i], rng) for i in idx], [ds.labels[i] for i in idx]


def idlest_cpu(allowed: set[int], seconds: float = 0.5) -> int:
    """The allowed CPU that was idle longest over the last moment (from /proc/stat)."""
    def idle() -> dict[int, int]:
        out = {}
        with open("/proc/stat") as fh:
            for line in fh:
                name, *fields = line.split()
                if name.startswith("cpu") and name[3:].isdigit():
                    out[int(name[3:])] = int(fields[3]) + int(fields[4])  # idle + iowait
        return out

    try:
        before = idle()
        time.sleep(seconds)
        after = idle()
        return max(allowed, key=lambda cpu: after.get(cpu, 0) - before.get(cpu, 0))
    except OSError:
        return min(allowed)


@contextmanager
def one_core():
    """Run the block on one CPU (the idlest this process may use), as the target is per core."""
    allowed = os.sched_getaffinity(0)
    cpu = idlest_cpu(allowed)
    os.sched_setaffinity(0, {cpu})
    try:
        yield cpu
    finally:
        os.sched_setaffinity(0, allowed)


def score(folder: str, data: str, size: int) -> dict:
    """Scoring figures in a fresh process, as a just-started worker sees them.

    The process-wide vocabulary of word and character chunks starts empty, so the first batch pays
    for featurising every chunk it has not met; later batches mostly find them cached.
    """
    from ml import load_model

    ds = read_datasets([data])
    model = load_model(folder)
    first, _ = synthetic(ds, size, seed=1)
    later, _ = synthetic(ds, size, seed=2)
    # As the server does once the model is loaded (feedback/gunicorn_conf.py): long-lived objects
    # leave the collector's generations, so it no longer walks them during scoring.
    gc.collect()
    gc.freeze()
    figures = {}
    for name, batch in (("first_batch", first), ("later_batch", later)):
        started, cpu_started = time.perf_counter(), time.process_time()
        model.predict(batch)
        figures[f"{name}_comments_per_second"] = round(len(batch) / (time.perf_counter() - started))
        # CPU time of this process only: what the figure would be if nothing else ran on the core.
        figures[f"{name}_comments_per_cpu_second"] = round(len(batch) / (time.process_time() - cpu_started))
    latencies = []
    for text in synthetic(ds, 2000, seed=3)[0]:
        t = time.perf_counter()
        model.predict([text])
        latencies.append(time.perf_counter() - t)
    figures["single_comment_median_ms"] = round(statistics.median(latencies) * 1000, 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(ROOT / "ml" / "corpus"))
    parser.add_argument("--train-size", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--card", help="version folder whose card.json gets the figures")
    parser.add_argument("--score", metavar="DIR", help=argparse.SUPPRESS)  # the child process's job
    args = parser.parse_args()
    if args.score:
        print(json.dumps(score(args.score, args.data, args.batch)))
        return
    ds = read_datasets([args.data])
    figures = {"cpu_count": os.cpu_count(), "load_average_at_start": list(os.getloadavg())}

    texts, labels = synthetic(ds, args.train_size)
    started = time.perf_counter()
    pipeline = build_pipeline(C=4.0, char_ngrams=CHAR_NGRAMS, n_features=N_FEATURES).fit(texts, labels)
    figures["train_seconds_100k"] = round(time.perf_counter() - started, 2)
    figures["train_rows"] = len(texts)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bench-model"
        save(folder, pipeline, {"threshold": 0.5})
        # With --card, size, loading and scoring are that model's; else the one just trained.
        measured = Path(args.card) if args.card else folder
        figures["measured_model"] = measured.name
        figures["model_folder_mb"] = round(sum(p.stat().st_size for p in measured.iterdir()) / 2**20, 2)
        # Load in a fresh process, as a worker would: imports plus load_model, then load_model alone.
        code = ("import time;t=time.perf_counter();from ml import load_model;t1=time.perf_counter();"
                f"load_model({str(measured)!r});t2=time.perf_counter();print(t2-t, t2-t1)")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
        with_imports, load_only = map(float, out.stdout.split())
        figures["load_seconds"] = round(load_only, 3)
        figures["import_and_load_seconds"] = round(with_imports, 3)

        with one_core() as cpu:  # the child inherits the pinning
            figures["pinned_to_cpu"] = cpu
            figures["load_average_before_batch"] = list(os.getloadavg())
            out = subprocess.run(
                [sys.executable, __file__, "--score", str(measured), "--data", args.data, "--batch", str(args.batch)],
                capture_output=True, text=True, cwd=ROOT, check=True,
            )
            figures.update(json.loads(out.stdout))
    figures["load_average_at_end"] = list(os.getloadavg())

    for key, value in figures.items():
        print(f"{key:>28}: {value}")
    if args.card:
        card_path = Path(args.card) / "card.json"
        card = json.loads(card_path.read_text(encoding="utf-8"))
        card["speed"] = figures
        card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
