"""The builder's outline does work per request, not per question (issue 23, item 5).

Timings are in benchmarks/builder_size.py; here the work is counted, so the
test can't pass or fail with the machine's speed.
"""

from __future__ import annotations

from test_builder_web import BUILD, add_page, new_survey, signed_in

from consent_kit.studio.builder import view_support
from consent_kit.testing import PASSWORD, populate


def test_the_outline_hashes_the_draft_once_however_long_the_survey(make_app, monkeypatch):
    app = make_app()
    accounts = populate(app)
    accounts.create_user("ros", "researcher", PASSWORD)
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    for number in range(12):
        add_page(rae, survey_id, "short_text", f"Question {number}?")
    calls = []
    real = view_support.revision

    def counted(definition):
        calls.append(1)
        return real(definition)

    monkeypatch.setattr(view_support, "revision", counted)
    page = rae.get(BUILD.format(survey_id)).get_data(as_text=True)
    # 12 pages and 12 questions, each with move and delete forms that carry the revision.
    assert page.count('name="revision"') > 48
    assert len(calls) == 1
