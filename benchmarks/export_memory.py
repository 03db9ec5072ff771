"""Peak memory (tracemalloc) of exports and the results page with many stored responses.

Run: .venv/bin/python benchmarks/export_memory.py [--responses 50000] [--formats csv,json,xlsx]

Seeds a fresh instance's journal with N responses to have-your-say (as
``make bench`` does), then measures, each on its own:

* each exporter streaming ``store.iter_responses`` to a file on disk;
* the whole HTTP download (``POST /studio/surveys/<id>/export``) through the test client,
  reading the body in chunks as a browser would;
* the results page (``GET /studio/surveys/<id>/results``).

The figures are Python allocations (tracemalloc), not the process's RSS; the
store's index of the journal is built before measuring starts.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import prepare  # noqa: E402

PASSWORD = "orange river bicycle"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def measure(label: str, action) -> dict:
    """Run ``action`` under tracemalloc; print and return peak MiB and seconds."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        detail = action()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    row = {"what": label, "peak_mib": round(peak / 2**20, 2),
           "seconds": round(time.perf_counter() - started, 1), "detail": detail}
    print(f"{label:<40} peak {row['peak_mib']:>7.2f} MiB  {row['seconds']:>6.1f} s  {detail}")
    return row


def signed_in_client(app):
    """A test client signed in as an admin made for the run."""
    app.extensions["consent_kit_studio"].accounts.create_user("bench", "admin", PASSWORD)
    client = app.test_client()
    page = client.get("/studio/login").get_data(as_text=True)
    client.post("/studio/login", data={"csrf_token": _CSRF.search(page).group(1),
                                       "username": "bench", "password": PASSWORD})
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--formats", default="csv,json,xlsx")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        app = prepare.make_instance(Path(scratch) / "instance")
        stored = prepare.seed_responses(app, args.responses)
        kit = app.extensions["consent_kit"]
        survey = kit.catalog.get(prepare.SURVEY_ID)
        kit.store.count_responses(survey.id)  # build the index before measuring
        print(f"{stored:,} responses stored")
        for fmt in args.formats.split(","):
            exporter = kit.exporters[fmt]
            target = Path(scratch) / f"export{exporter.suffix}"

            def write(exporter=exporter, target=target):
                with open(target, "wb") as out, app.test_request_context():
                    exporter.write(survey, kit.store.iter_responses(survey.id), out)
                return f"{target.stat().st_size / 2**20:.1f} MiB file"

            measure(f"exporter {fmt}", write)
        client = signed_in_client(app)
        export_url = f"/studio/surveys/{survey.id}/export"
        for fmt in args.formats.split(","):
            def download(fmt=fmt):
                token = _CSRF.search(client.get(export_url).get_data(as_text=True)).group(1)
                response = client.post(export_url, data={"csrf_token": token, "format": fmt},
                                       buffered=False)
                size = sum(len(chunk) for chunk in response.response)
                response.close()
                return f"HTTP {response.status_code}, {size / 2**20:.1f} MiB"

            measure(f"HTTP download {fmt}", download)

        def results_page():
            response = client.get(f"/studio/surveys/{survey.id}/results")
            return f"HTTP {response.status_code}, {len(response.data) / 1024:.0f} KiB page"

        measure("HTTP results page", results_page)


if __name__ == "__main__":
    main()
