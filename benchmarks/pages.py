"""The weight of each participant page: bytes and requests a phone needs on a first visit.

One participant walks ``have-your-say`` in-process (``journey.py``: Flask
test client, real CSRF tokens) and every page they are shown is measured: the HTML, plus each
stylesheet, script and image it links (and anything a stylesheet pulls in
with ``url()`` or ``@import``). ``data:`` URLs cost no request and are not
counted, e.g. ``<link rel="icon" href="data:,">``. Bytes are as sent: the app
does not compress.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import journey

from consent_kit.cli import init_instance

BUDGET_BYTES = 30 * 1024
BUDGET_REQUESTS = 3
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


class _Links(HTMLParser):
    """Collects the URLs a browser fetches while loading a page: (kind, url)."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        rel = (a.get("rel") or "").lower().split()
        if tag == "link" and a.get("href") and {"stylesheet", "icon", "preload", "manifest"} & set(rel):
            self.found.append(("css" if "stylesheet" in rel else "other", a["href"]))
        elif tag == "script" and a.get("src"):
            self.found.append(("js", a["src"]))
        elif tag in ("img", "source", "audio", "video") and a.get("src"):
            self.found.append(("other", a["src"]))
        elif tag == "input" and a.get("type") == "image" and a.get("src"):
            self.found.append(("other", a["src"]))


def measure_page(client, name: str, path: str, html: bytes) -> dict:
    """Bytes by kind and number of requests for one page whose HTML is ``html``."""
    parser = _Links()
    parser.feed(html.decode("utf-8"))
    sizes = {"html": len(html), "css": 0, "js": 0, "other": 0}
    requests = 1
    pending = [(kind, urljoin(path, url)) for kind, url in parser.found]
    seen = set()
    while pending:
        kind, url = pending.pop(0)
        if url.startswith("data:") or url in seen:
            continue
        seen.add(url)
        body = client.get(url).get_data()
        requests += 1
        sizes[kind] += len(body)
        if kind == "css":
            for match in _CSS_URL.finditer(body.decode("utf-8", "replace")):
                ref = match.group(1) or match.group(2)
                pending.append(("css" if match.group(2) else "other", urljoin(url, ref.strip())))
    total = sum(sizes.values())
    ok = total <= BUDGET_BYTES and requests <= BUDGET_REQUESTS
    return {"page": name, "path": path, **sizes, "total": total, "requests": requests, "pass": ok}


def measure_journey(folder: Path) -> list[dict]:
    """Walk have-your-say in a new instance at ``folder`` and measure every page shown.

    The walk: start, any consent steps, every question page, check your
    answers, thank you; then a second start to reach "save" (before and after
    pressing it) and the resume page.
    """
    init_instance(folder)
    app = journey.client_app(folder)
    person = journey.walk_to_check(app)
    person.send()
    person.start(journey.SURVEY_ID)
    if "/consent" in person.path:
        person.agree(journey.SURVEY_ID)
    prefix = f"/s/{journey.SURVEY_ID}"
    person.get(f"{prefix}/save")
    pages = dict(person.pages)
    person.post(f"{prefix}/save")
    pages[f"{prefix}/save (code shown)"] = person.last.get_data()
    person.get("/resume")
    pages.setdefault("/resume", person.last.get_data())
    return [measure_page(person.client, _name(path, prefix), path.split(" ")[0], html)
            for path, html in pages.items()]


def _name(path: str, prefix: str) -> str:
    """A short name for the page at ``path``: "start", "page about-you", "check", ..."""
    rest = path.removeprefix(prefix).strip("/")
    return {"": "start", "check": "check your answers", "done": "thank you"}.get(rest, rest.replace("/", " "))
