"""Issue 22's rows: start-up, results page, exports and memory at 0, 100,000 (and 1,000,000) answers.

Run on its own with ``.venv/bin/python benchmarks/scale.py [--sizes 0,100000]``, or as part
of ``make bench`` (``run.py --scale-sizes``). For each size it makes a fresh instance, adds
that many sample answers to have-your-say (``consent_kit.results.sample_tally.add_samples``,
what ``consent-kit sample-answers`` does: stored and counted into the results' kept tally in
one pass), then measures, each in a fresh process:

* a server process (``scale_worker.py``): import + ``create_app()``, the results page
  (first view, then the median of three), resident memory after them;
* ``consent-kit export --include-samples`` as CSV and as XLSX: wall and CPU seconds.

Once per run: ``consent-kit --help`` and ``import consent_kit`` (median of five).

Targets are issue 22's, set for 1,000,000 answers. Start-up, the results page and
memory must hold at every size. An export is judged on its time projected to a
million: what it costs at 0 answers (start-up) plus its extra cost per answer at this
size, times a million (so 100,000 answers in 3 s is 30 s a million).

Times are judged on CPU seconds, with the wall seconds beside them: on this shared
2-core machine other work can make the wall clock several times slower than the
work itself (a load average of 16 made ``--help`` take 4 s of wall time and 0.8 s of
CPU). On a quiet machine the two are close: every measured step runs in one thread.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
BIN = Path(sys.executable).parent
SURVEY_ID = "have-your-say"
MILLION = 1_000_000

#: (what, unit, limit)
TARGETS = {
    "help_cpu_s": ("consent-kit --help, CPU", "s", 0.5),
    "up_cpu_s": ("server up (import + create_app), CPU", "s", 3.0),
    "results_first_cpu_s": ("results page, first view after making the samples, CPU", "s", 0.5),
    "results_cpu_s": ("results page (after the first view), CPU", "s", 0.5),
    "rss_mb": ("one server process, resident", "MB", 200.0),
    "csv_million_s": ("CSV export projected to 1,000,000, CPU", "s", 30.0),
    "xlsx_million_s": ("XLSX export projected to 1,000,000, CPU", "s", 120.0),
}


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(command: list[str], **kwargs) -> dict:
    """Run ``command``; its wall seconds and the CPU seconds it (and its children) used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed: {done.stderr.strip()[-300:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "stdout": done.stdout}


def startup() -> dict:
    """``consent-kit --help`` and ``import consent_kit``: the median of five of each."""
    helps = [timed([str(BIN / "consent-kit"), "--help"]) for _ in range(5)]
    imports = [timed([sys.executable, "-c", "import consent_kit"]) for _ in range(5)]
    return {"help_s": statistics.median(h["wall_s"] for h in helps),
            "help_cpu_s": statistics.median(h["cpu_s"] for h in helps),
            "import_s": statistics.median(i["wall_s"] for i in imports)}


def make_instance(folder: Path, count: int) -> float:
    """A fresh instance with ``count`` sample answers to have-your-say; the seconds adding them took."""
    from consent_kit import create_app
    from consent_kit.cli import init_instance
    from consent_kit.results.sample_tally import add_samples
    from consent_kit.results.samples import make_samples

    init_instance(folder)
    app = create_app(instance=folder)
    kit = app.extensions["consent_kit"]
    survey = kit.catalog.get(SURVEY_ID)
    started = time.perf_counter()
    # As `consent-kit sample-answers` does: stored and counted into the results in one pass.
    added = add_samples(kit.store, survey, make_samples(survey, count, seed=22,
                                                        question_types=kit.question_types))
    seconds = time.perf_counter() - started
    kit.store.close()
    if added != count:
        raise RuntimeError(f"{added} sample answers stored, not {count}")
    return round(seconds, 2)


def measure_size(work: Path, count: int) -> dict:
    """Every row for one number of stored answers."""
    folder = work / f"scale-{count}"
    say(f"scale: {count:,} sample answers: making them")
    row: dict = {"answers": count, "samples_s": make_instance(folder, count)}
    os.sync()
    say(f"scale: {count:,}: server process (start-up, results page, memory)")
    worker = timed([sys.executable, str(HERE / "scale_worker.py"), str(folder), SURVEY_ID])
    row.update(json.loads(worker["stdout"].strip().splitlines()[-1]))
    for fmt in ("csv", "xlsx"):
        say(f"scale: {count:,}: export {fmt}")
        out = folder / f"export.{fmt}"
        run = timed([str(BIN / "consent-kit"), "export", "--instance", str(folder), SURVEY_ID,
                     "--include-samples", "--format", fmt, "--out", str(out)])
        row[f"{fmt}_s"], row[f"{fmt}_cpu_s"] = run["wall_s"], run["cpu_s"]
        row[f"{fmt}_mb"] = round(out.stat().st_size / 2**20, 1)
        out.unlink()
    return row


def measure(work: Path, sizes: list[int]) -> dict:
    """The start-up row and one row per size; a size that fails becomes an INVALID row."""
    logging.getLogger("consent_kit").setLevel(logging.CRITICAL)
    found = {"load_average_at_start": round(os.getloadavg()[0], 1), "startup": startup(), "sizes": []}
    for count in sizes:
        try:
            found["sizes"].append(measure_size(work, count))
        except Exception as error:  # the others still run
            found["sizes"].append({"answers": count, "error": f"{type(error).__name__}: {error}"[:300]})
    found["load_average_at_end"] = round(os.getloadavg()[0], 1)
    return found


def project(scale: dict) -> None:
    """Add each export's CPU seconds projected to a million answers (needs the row at 0)."""
    zero = next((r for r in scale["sizes"] if r.get("answers") == 0 and "error" not in r), None)
    for row in scale["sizes"]:
        if zero is None or "error" in row or not row["answers"]:
            continue
        for fmt in ("csv", "xlsx"):
            extra = (row[f"{fmt}_cpu_s"] - zero[f"{fmt}_cpu_s"]) * MILLION / row["answers"]
            row[f"{fmt}_million_s"] = round(zero[f"{fmt}_cpu_s"] + extra, 1)


def judge(scale: dict) -> list[dict]:
    """PASS/FAIL for every figure that has a target."""
    project(scale)
    verdicts = [_verdict("help_cpu_s", scale["startup"]["help_cpu_s"], "")]
    for row in scale["sizes"]:
        if "error" in row:
            verdicts.append({"server": "-", "target": f"scale at {row['answers']:,}", "value": row["error"],
                             "status": "INVALID"})
            continue
        for key in ("up_cpu_s", "results_first_cpu_s", "results_cpu_s", "rss_mb", "csv_million_s",
                    "xlsx_million_s"):
            if key in row:
                verdicts.append(_verdict(key, row[key], f" at {row['answers']:,} answers"))
    return verdicts


def _verdict(key: str, value: float, where: str) -> dict:
    what, unit, limit = TARGETS[key]
    return {"server": "-", "target": f"{what}{where} <= {limit:g} {unit}", "value": value,
            "status": "PASS" if value <= limit else "FAIL"}


def table(scale: dict) -> str:
    """The rows as Markdown text."""
    start = scale["startup"]
    lines = [
        "A million answers (issue 22): targets are for 1,000,000 answers; exports are judged on their "
        "CPU time projected to a million. Times are judged on CPU seconds (wall seconds beside them): "
        f"load average {scale.get('load_average_at_start', '?')} at the start of these rows, "
        f"{scale.get('load_average_at_end', '?')} at the end, on {os.cpu_count()} CPUs.",
        "",
        f"`consent-kit --help` {start['help_s']:.2f} s (CPU {start['help_cpu_s']:.2f} s, target 0.5 s); "
        f"`import consent_kit` {start['import_s']:.2f} s",
        "",
        "| answers | making the samples s | server up s (CPU) | results page s (CPU; first view s, CPU) "
        "| RSS MB (peak) | CSV s (CPU s, MB) | XLSX s (CPU s, MB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in scale["sizes"]:
        if "error" in row:
            lines.append(f"| {row['answers']:,} | INVALID: {row['error']} |")
            continue
        lines.append(
            f"| {row['answers']:,} | {row['samples_s']:.1f} | {row['up_s']:.2f} ({row['up_cpu_s']:.2f}) "
            f"| {row['results_s']:.2f} ({row['results_cpu_s']:.2f}; {row['results_first_s']:.2f}, "
            f"CPU {row.get('results_first_cpu_s', 0):.2f}) "
            f"| {row['rss_mb']:.0f} "
            f"({row['peak_rss_mb']:.0f}) | {row['csv_s']:.1f} ({row['csv_cpu_s']:.1f}, {row['csv_mb']}) "
            f"| {row['xlsx_s']:.1f} ({row['xlsx_cpu_s']:.1f}, {row['xlsx_mb']}) |")
    lines += ["", "| target | value | result |", "|---|---|---|"]
    lines += [f"| {v['target']} | {v['value']} | {v['status']} |" for v in judge(scale)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure and print the scale rows on their own (``make bench`` prints them with the rest)."""
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,100000", help="comma-separated numbers of sample answers")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ck-scale-") as work:
        scale = measure(Path(work), [int(s) for s in args.sizes.split(",") if s.strip()])
    print(table(scale))
    return 0 if all(v["status"] != "INVALID" for v in judge(scale)) else 1


if __name__ == "__main__":
    sys.exit(main())
