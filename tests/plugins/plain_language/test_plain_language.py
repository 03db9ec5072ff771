"""plugins/plain_language, pure parts: readability scores, the glossary, the advice (no Flask app)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from consent_kit_plugins.plain_language import advice, readability
from consent_kit_plugins.plain_language.glossary import (
    BUILT_IN,
    Glossary,
    GlossaryError,
    built_in,
    find,
    merged,
    parse,
)

from consent_kit import TextPlace


def _survey(**extra):
    from consent_kit.survey.model import Survey

    return Survey(id="s", title="T", description="D", pages=(), version="v", source="s.yaml",
                  extra=extra)


def place(language="en", where="question 'q'", field="label", survey=None):
    return TextPlace(survey or _survey(), where, field, 7, language)


# -- readability: hand-worked from the published formulas ------------------------------------------
# FRE = 206.835 − 1.015·(words/sentences) − 84.6·(syllables/words)
# FKGL = 0.39·(words/sentences) + 11.8·(syllables/words) − 15.59


def test_one_short_sentence_worked_by_hand():
    scores = readability.score("The cat sat on the mat.")
    assert (scores.words, len(scores.sentences), scores.syllables) == (6, 1, 6)
    # FRE = 206.835 − 1.015·6 − 84.6·1 = 116.145; FKGL = 0.39·6 + 11.8·1 − 15.59 = −1.45
    assert scores.reading_ease == pytest.approx(116.145)
    assert scores.grade == pytest.approx(-1.45)
    assert scores.reading_age == 5  # never below 5, however easy


def test_the_published_platypus_example_is_grade_11_3():
    # The Flesch-Kincaid example: 13 words and 24 syllables in one sentence give grade 11.3.
    scores = readability.score("The Australian platypus is seemingly a hybrid of a mammal and "
                               "reptilian creature.")
    assert (scores.words, scores.syllables) == (13, 24)
    # FKGL = 0.39·13 + 11.8·24/13 − 15.59 = 11.2646; FRE = 206.835 − 13.195 − 156.1846 = 37.455
    assert round(scores.grade, 1) == 11.3
    assert scores.reading_ease == pytest.approx(37.455, abs=0.001)
    assert scores.reading_age == 16


def test_two_sentences_worked_by_hand():
    scores = readability.score("You can stop at any time. We will not tell people your name.")
    # 6 + 7 = 13 words; 1+1+1+1+2+1 = 7 and 1+1+1+1+2+1+1 = 8 syllables: 15 in all
    assert [(s.words, s.syllables) for s in scores.sentences] == [(6, 7), (7, 8)]
    assert scores.words_per_sentence == 6.5
    # FKGL = 0.39·6.5 + 11.8·15/13 − 15.59 = 2.535 + 13.615385 − 15.59 = 0.560385
    # FRE = 206.835 − 1.015·6.5 − 84.6·15/13 = 206.835 − 6.5975 − 97.615385 = 102.622115
    assert scores.grade == pytest.approx(0.560385, abs=0.000001)
    assert scores.reading_ease == pytest.approx(102.622115, abs=0.000001)


@pytest.mark.parametrize("word, count", [
    ("cat", 1), ("water", 2), ("private", 2), ("former", 2), ("placement", 2), ("homeless", 2),
    ("cared", 1), ("takes", 1), ("wanted", 2), ("children's", 2), ("don't", 1),
    ("personality", 5), ("intentionally", 5), ("information", 4), ("people", 2), ("anything", 3),
])
def test_syllables(word, count):
    assert readability.syllables(word) == count


def test_longest_and_hardest_sentence_long_words_and_lists():
    text = ("Take part if you like.\n\n- Information about your personality is confidential.\n"
            "- Stop when you want.")
    scores = readability.score(text)
    assert [s.text for s in scores.sentences] == [
        "Take part if you like.", "Information about your personality is confidential.",
        "Stop when you want."]
    assert scores.longest.words == 6 and scores.hardest.text.startswith("Information")
    assert scores.long_words == ("Information", "personality", "confidential")


def test_markdown_links_count_their_words_not_the_address():
    scores = readability.score("Read [our leaflet](https://example.org/a-very-long-address) now.")
    assert scores.words == 4


def test_languages_without_a_method_are_not_scored():
    scores = readability.score("Gallwch chi stopio unrhyw bryd.", "cy")
    assert not scores.scored and scores.reading_age is None and not scores.fair
    assert readability.can_score("en_GB") and readability.can_score("en-US")
    assert not readability.can_score("cy") and not readability.can_score("ar")


def test_scoring_never_touches_the_network():
    """Run in a fresh interpreter where any connection raises; no NLTK or textstat is loaded."""
    code = textwrap.dedent("""
        import socket, sys
        def refuse(*args, **kwargs):
            raise OSError("network used")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        from consent_kit_plugins.plain_language import readability, glossary
        scores = readability.score("Placements can change. We will tell you first.")
        assert scores.scored and scores.words == 8
        assert glossary.find("your placement", glossary.built_in())
        assert not {"nltk", "textstat"} & set(sys.modules), sorted(sys.modules)
        print("offline ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "offline ok" in done.stdout


# -- the glossary ----------------------------------------------------------------------------------


def test_every_built_in_entry_names_its_public_source_and_a_kind():
    entries = built_in().entries
    assert len(entries) >= 20
    assert {e.kind for e in entries} == {"suggest", "explain", "ask"}
    for entry in entries:
        assert entry.reason, entry.term
        assert entry.sources and all(s.url.startswith("https://") for s in entry.sources), entry.term
    assert "sources:" in BUILT_IN.read_text()


@pytest.mark.parametrize("text, found", [
    ("Where is your placement?", ["placement"]),
    ("Placements can change.", ["Placements"]),          # plural, any case
    ("A replacement bus.", []),                           # whole words only
    ("Were you a LAC? LACs and LAC reviews", ["LAC", "LACs", "LAC reviews"]),
    ("children in\ncare", ["children in\ncare"]),           # multi-word, across a line break
    ("my birth-mother's house", ["birth-mother's"]),
    ("We will contact you.", []),                          # only "contact" about families
    ("Contact with your family", ["Contact with"]),
])
def test_matching(text, found):
    assert [m.text for m in find(text, built_in())] == found


def test_a_match_says_exactly_where_it_is_and_the_longest_entry_wins():
    text = "About children in care."
    [match] = find(text, built_in())
    assert (match.start, match.end) == (6, 22) and text[match.start:match.end] == "children in care"
    assert match.entry.term == "children in care"  # not also "in care"


def test_each_kind_gives_its_own_advice():
    glossary = built_in()
    said = {m.entry.kind: advice.word_finding(m, place()).message
            for m in find("placement, former relevant child, personality disorder", glossary)}
    assert "many young people would say “home”" in said["suggest"]
    assert "legal term" in said["explain"] and "say what it means" in said["explain"]
    assert "Ask the people you work with what words they use" in said["ask"]
    assert all("From:" in message for message in said.values())


def test_a_project_adds_rewords_and_removes_entries():
    project = parse("""
entries:
  - term: Placement
    kind: ask
    reason: Our group is split on this one.
    source: Our group, March
  - term: service user
    suggestions: [person]
remove: [siblings]
""", "ours.yaml", origin="project")
    glossary = merged(built_in(), project)
    assert glossary.get("placement").kind == "ask" and glossary.get("placement").origin == "project"
    assert glossary.get("service users") is None and glossary.get("service user") is not None
    assert glossary.get("siblings") is None
    assert [m.entry.term for m in find("service users and siblings", glossary)] == ["service user"]


@pytest.mark.parametrize("text, message", [
    ("entries: [", "line"),
    ("- just a list", "start the file with 'entries:'"),
    ("entries:\n  - kind: suggest\n", "entry 1: each entry needs 'term:'"),
    ("entries:\n  - term: x\n    kind: maybe\n", "'kind' must be suggest, explain or ask"),
])
def test_a_words_file_mistake_says_where_and_how_to_fix(text, message):
    with pytest.raises(GlossaryError, match="ours.yaml") as caught:
        parse(text, "ours.yaml")
    assert message in str(caught.value)


# -- advice ----------------------------------------------------------------------------------------

HARD = ("Participation in this investigation is entirely voluntary and you may discontinue "
        "participation at any juncture without providing justification.")


def test_a_text_above_the_aim_gets_its_sentence_and_what_would_help():
    [finding] = advice.check_text(HARD, place(), Glossary(()), aim=11)
    assert finding.kind == "reading"
    assert "your aim is 11 or under" in finding.message
    assert HARD in finding.message
    assert "split it into sentences of 15 words or fewer (it has 18)" in finding.message
    assert "try shorter words for “Participation”, “investigation”, “justification”" in finding.message
    problem = finding.problem()
    assert (problem.path, problem.line, problem.severity) == ("s.yaml", 7, "warning")


def test_the_aim_comes_from_the_survey():
    assert advice.reading_age_aim(_survey()) == 11
    assert advice.reading_age_aim(_survey(plain_language={"reading_age": "9 to 14"})) == 14
    assert advice.reading_age_aim(_survey(plain_language={"reading_age": "soon"})) == 11
    assert advice.check_text(HARD, place(), Glossary(()), aim=30) == []


def test_short_texts_and_other_languages_get_no_reading_age():
    assert advice.check_text("Sometimes", place(field="choice 'x'"), Glossary(()), 11) == []
    assert advice.check_text(HARD, place("cy"), built_in(), 11) == []


def test_acronyms_must_be_explained_where_people_first_meet_them():
    texts = [("Have you had a LAC review? Your PA can help.", place(where="question 'a'")),
             ("Your PA (personal adviser), NEET (not in work), children looked after (CLA).",
              place()),
             ("Ask about CLA.", place(where="question 'c'")),
             ("You do NOT have to answer. Call the NHS (National Health Service).", place())]
    found = advice.acronym_findings(texts)
    assert [(f.place.where, f.message.split("”")[0][1:], f.start) for f in found] == [
        ("question 'a'", "LAC", 15), ("question 'a'", "PA", 32)]
