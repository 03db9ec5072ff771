"""The .qdpx holds one text source per answer, so a person who answered two written
questions gives two sources, each with its own GUID and file (found by the studio crawl)."""

from __future__ import annotations

import io
import re
import zipfile

from consent_kit.testing import Browser, Participant, populate

ANSWERS = {"age_group": "14-16", "care_experience": "yes", "services_used": ["A youth club"],
           "visits": "3", "how_good": "4", "trusted_adult": "yes",
           "what_helps": "They listen to me.", "make_better": "Open later.",
           "sport_ideas": "climbing"}


def test_two_written_answers_from_one_person_are_two_sources(make_app):
    app = make_app()
    populate(app)
    Participant(app.test_client()).complete("have-your-say", ANSWERS)
    rae = Browser(app)
    rae.login("rae")
    response = rae.get("/studio/surveys/have-your-say/analysis/export.qdpx")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    sources = [n for n in archive.namelist() if n.startswith("sources/")]
    assert len(sources) == len(set(sources)) >= 2
    texts = {archive.read(n).decode() for n in sources}
    assert {"They listen to me.", "Open later."} <= texts
    guids = re.findall(rb'<TextSource guid="([^"]+)"', archive.read("project.qde"))
    assert len(guids) == len(set(guids)) == len(sources)
