"""Each row of an XLSForm's survey sheet to pages and questions (used by :mod:`.xlsform`).

Every row is either carried over (perhaps with a note saying what changed)
or left out with a reason in the report: nothing disappears silently.
"""

from __future__ import annotations

import re

from consent_kit.studio.builder.starter import MARK
from consent_kit.survey.load.import_pipes import pipe_to_ids, piped
from consent_kit.survey.load.imported import (
    N_,
    Ids,
    ImportReport,
    Known,
    say,
    show_ifs,
    text_in,
)

#: Types consent-kit has no question for, and why, in the researcher's words (``say`` translates).
LEFT_OUT = {
    "calculate": N_("consent-kit has no calculations yet"),
    "hidden": N_("consent-kit has no hidden values"),
    "geopoint": N_("consent-kit doesn't ask for places on a map (it avoids knowing where people are)"),
    "geotrace": N_("consent-kit doesn't ask for places on a map (it avoids knowing where people are)"),
    "geoshape": N_("consent-kit doesn't ask for places on a map (it avoids knowing where people are)"),
    "image": N_("consent-kit doesn't take photos, recordings or files"),
    "audio": N_("consent-kit doesn't take photos, recordings or files"),
    "video": N_("consent-kit doesn't take photos, recordings or files"),
    "file": N_("consent-kit doesn't take photos, recordings or files"),
    "barcode": N_("consent-kit has no barcode questions"),
    "rank": N_("consent-kit has no ranking questions yet"),
    "time": N_("consent-kit asks for dates, not times of day"),
    "acknowledge": N_("consent-kit has no 'OK' tick; the consent section does this job"),
    "select_one_from_file": N_("choices from another file aren't read: copy them into the choices "
                               "sheet"),
    "select_multiple_from_file": N_("choices from another file aren't read: copy them into the "
                                    "choices sheet"),
    "trigger": N_("consent-kit has no triggers"),
    "xml-external": N_("consent-kit doesn't read other files"),
    "csv-external": N_("consent-kit doesn't read other files"),
}
#: Columns that mean something consent-kit can't do yet.
UNUSED_COLUMNS = {
    "default": N_("answers filled in beforehand aren't imported"),
    "read_only": N_("read-only questions aren't imported (the question is asked as usual)"),
    "choice_filter": N_("choices filtered by an earlier answer aren't imported: every choice is shown"),
    "calculation": N_("calculations aren't imported"),
    "trigger": N_("triggers aren't imported"),
    "repeat_count": N_("repeats aren't imported"),
}
#: The older ways of writing a type that XLSForm still accepts (pyxform's aliases).
ALIASES = (
    (r"^select (one|multiple) from file ", r"select_\1_from_file "),
    (r"^(add select one prompt using|select one from|select1|select one) ", "select_one "),
    (r"^(add select multiple prompt using|select all that apply from|select all that apply) ",
     "select_multiple "),
    (r" or specify other$", " or_other"),
)
PREFER_NOT = re.compile(r"prefer not to (say|answer)|rather not say|refused?\b|don.t want to answer", re.I)
TAGS = re.compile(r"<[^>]+>")
TRUE_WORDS = {"yes", "true", "true()", "1", "y"}


def _words(row: dict, column: str, main: str, codes: dict) -> dict[str, str]:
    found = {codes.get(k.split("::", 1)[1], main): v for k, v in row.items()
             if k.startswith(column + "::") and v and codes.get(k.split("::", 1)[1], main)}
    if row.get(column):
        found[main] = row[column]
    return {code: TAGS.sub("", text).strip() for code, text in found.items()}


class Builder:
    """Pages and questions, built a row at a time."""

    def __init__(self, report: ImportReport, main: str, codes: dict, lists: dict):
        self.report, self.main, self.codes, self.lists = report, main, codes, lists
        self.pages: list[dict] = []
        self.known: dict[str, Known] = {}
        self.ids, self.page_ids = Ids(), Ids()
        self.groups: list[dict] = []  # open groups, outermost first
        self.field_page: dict | None = None

    # -- groups ----------------------------------------------------------------------------

    def row(self, number: int, row: dict) -> None:
        """Take one survey-sheet row."""
        kind = " ".join(row.get("type", "").split()).lower()
        kind = re.sub(r"^(begin|end)_(group|repeat)$", r"\1 \2", kind)
        for pattern, words in ALIASES:
            kind = re.sub(pattern, words, kind)
        name = row.get("name", "")
        if kind in ("begin group", "begin repeat"):
            return self._begin(number, row, kind, name)
        if kind in ("end group", "end repeat"):
            return self._end()
        if not kind:
            return None
        self.report.question_rows += 1
        repeat = next((g for g in self.groups if g["repeat"]), None)
        if repeat:
            self.report.add(number, kind.split()[0], name, say(
                "not imported — it is inside the repeat '%(repeat)s', and consent-kit has no repeats "
                "yet", repeat=repeat["name"]))
            return None
        self._question(number, row, kind, name)
        return None

    def _begin(self, number: int, row: dict, kind: str, name: str) -> None:
        group = {"name": name, "repeat": kind == "begin repeat", "conditions": [], "opened": False,
                 "title": text_in(_words(row, "label", self.main, self.codes), self.main)}
        if group["repeat"]:
            self.report.add(number, "begin repeat", name, say(
                "not imported — consent-kit has no repeats yet, so the questions inside it are left "
                "out too"))
        elif row.get("relevant"):
            found, why = show_ifs(row["relevant"], self.known, len(self.pages))
            if found and len(found) + sum(len(g["conditions"]) for g in self.groups) <= 1:
                group["conditions"] = found
            else:
                self.report.add(number, "begin group", name, say(
                    "relevant not imported — %(why)s: the group is shown to everyone",
                    why=why or say("consent-kit has one condition for a page")), level="changed")
        if "field-list" in row.get("appearance", "") and self.field_page is None and not group["repeat"]:
            self.field_page = self._new_page(group["title"], self._group_conditions(group), name)
            group["opened"] = True
        self.groups.append(group)

    def _end(self) -> None:
        if not self.groups:
            return
        group = self.groups.pop()
        if group["opened"]:
            if not self.field_page["questions"]:
                self.pages.remove(self.field_page)
            self.field_page = None

    def _group_conditions(self, extra: dict | None = None) -> list[dict]:
        found = [c for g in self.groups for c in g["conditions"]]
        return found + (extra["conditions"] if extra else [])

    def _new_page(self, title, conditions: list[dict], name: str = "") -> dict:
        page = {"id": self.page_ids.make(name or f"page-{len(self.pages) + 1}")}
        if title:
            page["title"] = title
        if conditions:
            page["show_if"] = conditions[0]
        page["questions"] = []
        self.pages.append(page)
        return page

    # -- questions -------------------------------------------------------------------------

    def _question(self, number: int, row: dict, kind: str, name: str) -> None:
        base = kind.split()[0]
        if base in LEFT_OUT or base not in QUESTION_TYPES:
            why = say(LEFT_OUT[base]) if base in LEFT_OUT else say(
                "consent-kit doesn't know the type '%(type)s'", type=base)
            self.report.add(number, base, name, say("not imported — %(why)s", why=why))
            return
        question = {"id": self.ids.make(name or f"row{number}"), "type": None, "label": ""}
        extra = QUESTION_TYPES[base](self, number, row, kind, question)
        if question["type"] is None:
            return
        # The page it will be on: the open field-list page, or a new one at the end.
        where = self.pages.index(self.field_page) if self.field_page is not None else len(self.pages)
        self._common(number, row, base, question, where)
        page = self.field_page
        if page is None:
            page = self._new_page(self.groups[-1]["title"] if self.groups else "", self._group_conditions())
        self._condition(number, row, base, question, page)
        page["questions"].append(question)
        self.report.kept_rows += 1
        self._remember(question, page)
        if extra:
            self._other(number, base, question, extra)

    def _remember(self, question: dict, page: dict) -> None:
        values = tuple(str(c["value"]) for c in question.get("choices", []))
        if question["type"] == "yes_no":
            values = ("yes", "no")
        if question.get("prefer_not_to_say"):
            values += ("prefer_not_to_say",)
        source = next((k for k, v in self.ids.by_name.items() if v == question["id"]), question["id"])
        self.known[source] = Known(question["id"], question["type"], self.pages.index(page), values)

    def _common(self, number: int, row: dict, base: str, question: dict, page: int) -> None:
        question["label"] = self._piped(number, row, base, "label", page)
        if not question["label"]:
            question["label"] = f"{MARK} {row.get('name', '')}"
            self.report.add(number, base, row.get("name", ""),
                            say("has no label: one is marked for you to write"), level="changed")
        hint = self._piped(number, row, base, "hint", page)
        if hint:
            question["help"] = hint
        for column, why in UNUSED_COLUMNS.items():
            if row.get(column) and not (column == "calculation" and base == "calculate"):
                self.report.add(number, base, row.get("name", ""), f"{column}: {say(why)}",
                                level="changed")
        if any(row.get(k) for k in row if k.split("::")[0] in ("image", "audio", "video", "media")):
            self.report.add(number, base, row.get("name", ""),
                            say("pictures and sounds aren't imported"), level="changed")
        if question["type"] == "info":
            return
        required = row.get("required", "").strip().lower()
        question["required"] = required in TRUE_WORDS
        if required and required not in TRUE_WORDS and required not in ("no", "false", "false()", "0"):
            self.report.add(number, base, row.get("name", ""), say(
                "required only sometimes (%(rule)s) isn't imported: the question can be left empty",
                rule=required), level="changed")
        from consent_kit.survey.load.xlsform_checks import validation

        rules = validation(self.report, number, row, base, question)
        message = row.get("constraint_message") or row.get("required_message")
        if message:
            rules["message"] = TAGS.sub("", message)
        if rules:
            question["validation"] = rules

    def _piped(self, number: int, row: dict, base: str, column: str, page: int):
        """The words of ``column``, with earlier answers (``${name}``) piped by the questions' ids.

        When one can't be piped (a later question, one left out), the words are
        marked for the researcher instead, and the report says why.
        """
        words = _words(row, column, self.main, self.codes)
        found = {code: pipe_to_ids(text, self.known, page) for code, text in words.items()}
        why = next((reason for _, reason in found.values() if reason), "")
        if not why:
            return text_in({code: text for code, (text, _) in found.items()}, self.main)
        names = [n for text in words.values() for n in piped(text)[1]]
        self.report.add(number, base, row.get("name", ""), say(
            "an earlier answer put into the words (%(pipe)s) isn't imported — %(why)s: the words are "
            "marked for you to change", pipe=f"${{{names[0]}}}", why=why), level="changed")
        return _piped_all(words, self.main)

    def _condition(self, number: int, row: dict, base: str, question: dict, page: dict) -> None:
        if not row.get("relevant"):
            return
        index = self.pages.index(page)
        found, why = show_ifs(row["relevant"], self.known, index)
        alone = self.field_page is None
        if found and len(found) == 2 and alone and "show_if" not in page:
            page["show_if"], question["show_if"] = found
        elif found and len(found) == 1:
            question["show_if"] = found[0]
        else:
            self.report.add(number, base, row.get("name", ""), say(
                "relevant not imported — %(why)s: the question is shown to everyone",
                why=why or say("too many conditions here")),
                            level="changed")

    def _other(self, number: int, base: str, question: dict, operator: str) -> None:
        follow = {"id": self.ids.make(question["id"] + "_other"), "type": "short_text",
                  "label": "What is your other answer?", "required": False}
        page = self.field_page
        if page is None:
            page = self._new_page("", self._group_conditions())
            follow["show_if"] = {"question": question["id"], operator: "other"}
        else:
            self.report.add(number, base, question["id"], say(
                "the box for 'Other' is on the same page, so it is always shown"), level="changed")
        page["questions"].append(follow)

    def finish(self) -> None:
        """Make sure the survey has at least one page (a survey file needs one)."""
        if not any(p["questions"] for p in self.pages):
            self.pages[:] = [{"id": "page-1", "questions": [
                {"id": "start", "type": "info", "label": f"{MARK} No questions could be imported."}]}]
        self.pages[:] = [p for p in self.pages if p["questions"]]


def _piped_all(labels: dict[str, str], main: str):
    return text_in({code: piped(words)[0] for code, words in labels.items()}, main)


from consent_kit.survey.load.xlsform_checks import QUESTION_TYPES  # noqa: E402  (they use Builder's helpers)
