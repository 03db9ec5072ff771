"""A project's words file is read as strictly as a survey file (issue 23, item 6)."""

from __future__ import annotations

import io

import pytest
from consent_kit_plugins.plain_language.glossary import GlossaryError, parse
from consent_kit_plugins.plain_language.projects import TABLE
from test_plain_language_web import WORDS, signed_in

# 449 bytes that, with aliases, became 72 MB of stored words: each line is nine of the one above.
ALIAS_BOMB = "\n".join(
    ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
    + [f"{chr(98 + n)}: &{chr(98 + n)} [{','.join(['*' + chr(97 + n)] * 9)}]" for n in range(7)]
    + ["entries:", "  - term: h", "    suggestions: *h"]
)
DEEP = "entries:\n  - term: x\n    suggestions: " + "[" * 5000 + "]" * 5000 + "\n"


@pytest.fixture
def app(make_app):
    from consent_kit.testing import populate

    app = make_app()
    populate(app)
    return app


def test_aliases_are_refused_in_plain_words():
    assert len(ALIAS_BOMB.encode()) < 600
    with pytest.raises(GlossaryError) as caught:
        parse(ALIAS_BOMB, "ours.yaml", origin="project")
    message = str(caught.value)
    assert message.startswith("ours.yaml, line ") and "alias" in message
    assert "Survey files" not in message  # it is a words file


def test_deep_nesting_is_a_plain_mistake_not_a_crash():
    with pytest.raises(GlossaryError, match=r"ours\.yaml, line 3: .*nested more than"):
        parse(DEEP, "ours.yaml", origin="project")


def test_tags_are_refused_too():
    with pytest.raises(GlossaryError, match="tag"):
        parse("entries:\n  - term: !!python/name:os.system x\n", "ours.yaml", origin="project")


@pytest.mark.parametrize("text", [ALIAS_BOMB, DEEP])
def test_a_hostile_upload_is_explained_and_stores_nothing(app, text):
    rae = signed_in(app, "rae")
    rae.post(WORDS, {"action": "save", "term": "key worker", "kind": "ask", "reason": "Ask."})
    before = app.extensions["consent_kit"].store.table(TABLE).all()
    sent = rae.post(WORDS, {"action": "upload", "file": (io.BytesIO(text.encode()), "ours.yaml")},
                    content_type="multipart/form-data")
    assert sent.status_code == 400 and "ours.yaml, line" in rae.text
    assert app.extensions["consent_kit"].store.table(TABLE).all() == before
