"""How long the builder's survey page takes as a survey grows (issue 23, item 5).

Run: .venv/bin/python benchmarks/builder_size.py [--questions 250,1000] [--views 3]

For each size, a fresh instance gets a survey file with that many short-answer
questions (ten to a page), published as it would be after an upload; an admin
signs in through the test client, and the outline page
(``GET /studio/surveys/<id>/build``) of a changed draft is fetched ``--views`` times. The first
view includes checking the survey with the loader (kept for later views of the
same draft); the median of the later views is what a researcher waits for on
each click back to the outline. Wall-clock seconds in one process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import prepare  # noqa: E402
from export_memory import signed_in_client  # noqa: E402

SURVEY_ID = "bench-size"


def survey_file(questions: int) -> str:
    """A valid survey with ``questions`` short-answer questions, ten to a page."""
    pages = []
    for start in range(0, questions, 10):
        pages.append({"id": f"p{start // 10 + 1}", "title": f"Page {start // 10 + 1}",
                      "questions": [{"id": f"q{n}", "type": "short_text", "label": f"Question {n}?"}
                                    for n in range(start + 1, min(start + 10, questions) + 1)]})
    return yaml.safe_dump({"id": SURVEY_ID, "title": "Size test",
                           "description": "A long survey for timing the builder.",
                           "pages": pages}, sort_keys=False)


def time_outline(questions: int, views: int) -> dict:
    """Seconds for each view of the outline of a ``questions``-long survey."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "instance"
        prepare.init_instance(folder)
        (folder / "forms" / f"{SURVEY_ID}.yaml").write_text(survey_file(questions),
                                                            encoding="utf-8")
        app = prepare.create_app(instance=folder)
        client = signed_in_client(app)
        # A draft with a change, as while someone is building: the outline then also shows
        # the publish and approve forms, each carrying the draft's revision.
        changed = {**yaml.safe_load(survey_file(questions)), "title": "Size test, changed"}
        app.extensions["consent_kit_builder"].save_draft(SURVEY_ID, changed, "someone")
        seconds, size = [], 0
        for _view in range(views):
            started = time.perf_counter()
            response = client.get(f"/studio/surveys/{SURVEY_ID}/build")
            seconds.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"outline answered {response.status_code}")
            size = len(response.data)
    later = seconds[1:] or seconds
    return {"questions": questions, "first": seconds[0], "median_later": statistics.median(later),
            "kib": size / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", default="250,1000")
    parser.add_argument("--views", type=int, default=3)
    args = parser.parse_args()
    print(f"{'questions':>9}  {'first view':>10}  {'later views':>11}  {'page':>8}")
    for size in (int(n) for n in args.questions.split(",")):
        row = time_outline(size, args.views)
        print(f"{row['questions']:>9}  {row['first']:>9.2f}s  {row['median_later']:>10.2f}s  "
              f"{row['kib']:>6.0f} KiB")


if __name__ == "__main__":
    main()
