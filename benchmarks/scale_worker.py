"""One server process, measured from the inside: start-up, results page, resident memory.

Run by ``scale.py`` as ``python scale_worker.py INSTANCE SURVEY``; prints one JSON line.
It starts as a server worker would (imports, then ``create_app()``), signs a
researcher in, views a question page and the survey's results page (the first
view, then the median of the next ones), and reports the process's resident
memory (VmRSS) and its peak (VmHWM) from /proc/self/status.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402

from consent_kit import create_app  # noqa: E402

PASSWORD = "orange river bicycle"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
#: Views of the results page timed after the first; fewer when one view is slow.
VIEWS = 3
SLOW_VIEW_SECONDS = 5.0


def memory() -> dict:
    """Resident and peak resident memory of this process, in MB."""
    fields = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields.get("VmRSS", 0.0), "peak_rss_mb": fields.get("VmHWM", 0.0)}


def signed_in(app):
    """A test client signed in as an admin made for the run (once per instance)."""
    accounts = app.extensions["consent_kit_studio"].accounts
    if accounts.get_user("bench") is None:
        accounts.create_user("bench", "admin", PASSWORD)
    client = app.test_client()
    page = client.get("/studio/login").get_data(as_text=True)
    client.post("/studio/login", data={"csrf_token": _CSRF.search(page).group(1),
                                       "username": "bench", "password": PASSWORD})
    return client


def timed_get(client, url: str) -> tuple[float, float]:
    """Wall and CPU seconds of one GET."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return time.perf_counter() - started, time.process_time() - cpu


def main(instance: str, survey_id: str) -> dict:
    logging.disable(logging.WARNING)  # the start-up advice (no admin yet, no base_url) is noise here
    app = create_app(instance=instance)
    up, up_cpu = time.perf_counter() - STARTED, time.process_time()  # CPU since the process began
    client = signed_in(app)
    timed_get(client, f"/s/{survey_id}")
    url = f"/studio/surveys/{survey_id}/results"
    first, first_cpu = timed_get(client, url)
    views = [timed_get(client, url) for _ in range(VIEWS if first < SLOW_VIEW_SECONDS else 1)]
    return {"up_s": round(up, 3), "up_cpu_s": round(up_cpu, 3), "results_first_s": round(first, 3),
            "results_first_cpu_s": round(first_cpu, 3),
            "results_s": round(statistics.median(v[0] for v in views), 3),
            "results_cpu_s": round(statistics.median(v[1] for v in views), 3), **memory()}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
