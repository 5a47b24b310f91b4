"""Command line: ``python -m ml {train,evaluate,predict,versions,rollback,promote}``.

Bad input (unreadable CSV, missing columns, empty text, labels other than 0/1, a missing or corrupt
model folder) ends with one "error: ..." line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys
from pathlib import Path

from ml.data import read_datasets
from ml.errors import DataError, ModelError
from ml.evaluate import report
from ml.pipeline import load_model
from ml.registry import CURRENT, current_version_dir, list_versions, read_card, rollback, set_current

EXIT_BAD_INPUT = 2
BATCH = 1000


def _model_dir(spec: str) -> Path:
    """A version folder, or a models root whose CURRENT pointer names one."""
    path = Path(spec)
    if (path / CURRENT).is_file() and not (path / "model.skops").exists():
        current = current_version_dir(path)
        if current is None:
            raise ModelError(f"{path / CURRENT} is empty. Promote a version with `python -m ml promote`.")
        return current
    return path


def cmd_train(args) -> int:
    from ml.train import train  # sklearn model selection is only needed here

    ds = read_datasets(args.data)
    if args.out:
        out = Path(args.out)
    else:
        stamp = dt.datetime.now().strftime("%Y-%m-%dT%H%M")
        out = Path(args.models) / f"{stamp}-{ds.sha256()[:6]}"
    if (out / "model.skops").exists() and not args.force:
        raise ModelError(f"{out} already holds a model; versions are kept as they are. "
                         "Choose another --out (or pass --force).")
    card = train(ds, out, seed=args.seed, quick=args.quick, log=lambda msg: print(msg, file=sys.stderr))
    if args.promote:
        set_current(out.parent, out.name)
    summary = {"version": card["version"], "path": str(out), "threshold": card["threshold"],
               "acceptance": card["acceptance"], "promoted": bool(args.promote)}
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def cmd_evaluate(args) -> int:
    model = load_model(_model_dir(args.model))
    ds = read_datasets(args.data)
    print(json.dumps(report(model, ds), ensure_ascii=False))
    return 0


def cmd_predict(args) -> int:
    model = load_model(_model_dir(args.model))
    stdin = sys.stdin
    stdin.reconfigure(encoding="utf-8", errors="replace")
    status, lineno = 0, 0
    while True:
        lines = [line.rstrip("\r\n") for line in itertools.islice(stdin, BATCH)]
        if not lines:
            return status
        texts = [line for line in lines if line.strip()]
        preds = iter(model.predict(texts))
        for line in lines:
            lineno += 1
            if not line.strip():
                print(f"error: line {lineno}: empty comment", file=sys.stderr)
                print(json.dumps({"error": "empty comment", "line": lineno}))
                status = EXIT_BAD_INPUT
                continue
            p = next(preds)
            print(json.dumps({"complaint_probability": p.complaint_probability, "flagged": p.flagged,
                              "lang": p.lang, "reasons": p.reasons}, ensure_ascii=False))
        sys.stdout.flush()


def cmd_versions(args) -> int:
    root = Path(args.models)
    current = current_version_dir(root)
    for name in list_versions(root):
        try:
            card = read_card(root / name)
            note = f"threshold={card['threshold']} created={card.get('created', '?')}"
        except ModelError as exc:
            note = f"(card unreadable: {exc})"
        mark = "*" if current is not None and current.name == name else " "
        print(f"{mark} {name}  {note}")
    return 0


def cmd_rollback(args) -> int:
    print(f"CURRENT -> {rollback(Path(args.models))}")
    return 0


def cmd_promote(args) -> int:
    set_current(Path(args.models), args.version)
    print(f"CURRENT -> {args.version}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ml", description="Rəy complaint classifier")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train, evaluate on a held-out split, write model and card")
    p.add_argument("--data", action="append", required=True, help="CSV file, folder of CSVs or glob; repeatable")
    p.add_argument("--out", help="version folder to write, e.g. models/2026-11-26T1930-a1b2c3")
    p.add_argument("--models", default="models", help="models root, used when --out is not given")
    p.add_argument("--promote", action="store_true", help="point CURRENT at the new version")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true", help="overwrite an existing version folder")
    p.add_argument("--quick", action="store_true",
                   help="fit the default configuration without comparing candidates or baselines (for trials)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="print metrics (JSON) of a model on labelled CSV")
    p.add_argument("--model", required=True, help="version folder (or models root with CURRENT)")
    p.add_argument("--data", action="append", required=True)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("predict", help="score comments from stdin, one per line; JSON lines out")
    p.add_argument("--model", required=True)
    p.set_defaults(func=cmd_predict)

    for name, func, helptext in (("versions", cmd_versions, "list model versions (* = current)"),
                                 ("rollback", cmd_rollback, "point CURRENT at the previous version")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--models", default="models")
        p.set_defaults(func=func)
    p = sub.add_parser("promote", help="point CURRENT at a version")
    p.add_argument("--models", default="models")
    p.add_argument("version")
    p.set_defaults(func=cmd_promote)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        sys.stdout.reconfigure(encoding="utf-8")
        return args.func(args)
    except (DataError, ModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
