"""Read the settings that make a survey's promises true: leaving, taking back, who to ask.

Part of :mod:`consent_kit.survey.load.survey_file`; docs/survey-files.md and
docs/consent.md describe them.

* ``exit_page``: where "Leave this page" goes. Left out, it goes to
  :data:`~consent_kit.survey.model.DEFAULT_EXIT_URL`: the button is on unless
  the researchers switch it off *and say why* (``exit_page: off`` with
  ``exit_page_reason:``), because people may need to leave quickly.
* ``closes``: the day the researchers plan to close the survey.
* ``withdraw_until``: the last day people can take their answers back, as a
  date (``2027-03-31``) or as ``90 days after closing`` (which needs ``closes``).
* ``contact``: who people can ask about the research.
* ``time_zone``: the clock times are shown on (``Europe/London``); left out, the instance's.

:func:`safety_advice` is what ``consent-kit check`` advises when a survey
leaves out the things that keep people safe. Advice never stops a survey.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo

from consent_kit.survey.load.common import Context, line_of, read_text, show, value_line
from consent_kit.survey.load.support import read_url
from consent_kit.survey.model import DEFAULT_EXIT_URL, Problem, Survey

_EXIT_EXAMPLE = "https://www.bbc.co.uk/weather"
_OFF = ("off", "no", "none", "false")
_DAYS_AFTER = re.compile(r"^\s*(\d{1,4})\s+days?\s+after\s+(?:the\s+survey\s+)?clos(?:ing|es)\s*$",
                         re.IGNORECASE)
_DATE_EXAMPLE = "2027-03-31"
_NEEDS_REASON = ("'exit_page: off' switches off the \"Leave this page\" button, which keeps people "
                 "safe if someone walks in. If your survey really doesn't need it, add "
                 "'exit_page_reason:' saying why, like 'exit_page_reason: The questions are only "
                 "about the youth club's opening times.'")


def read_exit_page(ctx: Context, data: dict) -> tuple[str, str]:
    """The "Leave this page" address and, when it is switched off, the reason why."""
    if "exit_page" not in data:
        if "exit_page_reason" in data:
            ctx.add(value_line(data, "exit_page_reason"), "", "'exit_page_reason' is only "
                    "needed with 'exit_page: off'. Delete it, or add 'exit_page: off'.")
        return DEFAULT_EXIT_URL, ""
    raw = data.get("exit_page")
    if raw is False or (isinstance(raw, str) and raw.strip().lower() in _OFF):
        if "exit_page_reason" not in data:
            ctx.add(value_line(data, "exit_page"), "", _NEEDS_REASON)
            return "", ""
        return "", read_text(ctx, data, "exit_page_reason", "", required=True,
                             missing=_NEEDS_REASON)
    return read_url(ctx, data, "exit_page", "", example=_EXIT_EXAMPLE, required=True), ""


def read_date(ctx: Context, data: dict, key: str, *, example: str = _DATE_EXAMPLE
              ) -> datetime.date | None:
    """A date written year-month-day (``2027-03-31``); anything else is reported."""
    raw = data.get(key)
    if raw is None:
        return None
    if isinstance(raw, datetime.date):
        return raw
    try:
        return datetime.date.fromisoformat(str(raw).strip())
    except ValueError:
        ctx.add(value_line(data, key), "", f"'{key}' should be a date written year-month-day, "
                f"like '{key}: {example}', not {show(raw)}.")
        return None


def read_withdraw_until(ctx: Context, data: dict, closes: datetime.date | None
                        ) -> datetime.date | None:
    """The last day people can take their answers back (None = for as long as answers are kept)."""
    raw = data.get("withdraw_until")
    if raw is None:
        return None
    line = value_line(data, "withdraw_until")
    match = _DAYS_AFTER.match(str(raw)) if isinstance(raw, str | int) else None
    if match:
        if closes is None:
            ctx.add(line, "", f"'withdraw_until: {raw.strip()}' needs the day the survey closes. "
                    f"Add 'closes:' with that date, like 'closes: 2027-01-31', or give "
                    f"withdraw_until as a date, like 'withdraw_until: {_DATE_EXAMPLE}'.")
            return None
        return closes + datetime.timedelta(days=int(match.group(1)))
    try:
        until = (raw if isinstance(raw, datetime.date)
                 else datetime.date.fromisoformat(str(raw).strip()))
    except ValueError:
        ctx.add(line, "", f"'withdraw_until' should be the last day people can take their answers "
                f"back, written like 'withdraw_until: {_DATE_EXAMPLE}' or 'withdraw_until: 90 days "
                f"after closing', not {show(raw)}.")
        return None
    if closes is not None and until < closes:
        ctx.add(line, "", f"'withdraw_until' ({until.isoformat()}) is before the survey closes "
                f"({closes.isoformat()}). People who answer near the end must still have time to "
                "change their mind: choose a later date.")
    return until


def read_promises(ctx: Context, data: dict) -> dict:
    """The Survey fields these settings fill in."""
    exit_url, reason = read_exit_page(ctx, data)
    closes = read_date(ctx, data, "closes", example="2027-01-31")
    return {"exit_url": exit_url, "exit_off_reason": reason, "closes": closes,
            "withdraw_until": read_withdraw_until(ctx, data, closes),
            "contact": read_text(ctx, data, "contact", ""),
            "time_zone": read_time_zone(ctx, data)}


def read_time_zone(ctx: Context, data: dict) -> str:
    """The zone the survey's times are shown in, like "Europe/London" ("" = the instance's)."""
    raw = data.get("time_zone")
    if raw is None:
        return ""
    name = str(raw).strip()
    try:
        # A path-like name could reach outside the zone database: zoneinfo refuses those too.
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        ctx.add(value_line(data, "time_zone"), "", f"'time_zone' should be a time zone name, "
                f"like 'time_zone: Europe/London' or 'time_zone: Europe/Dublin', not {show(raw)}.")
        return ""
    return name


def safety_advice(survey: Survey) -> list[Problem]:
    """What ``consent-kit check`` advises when a survey leaves out what keeps people safe.

    Warnings only: the survey still works, with safe defaults (national
    support services; "Leave this page" to an everyday website).
    """
    definition = survey.definition or {}
    line = line_of(definition, 1)
    advice = []
    if survey.support is None:
        advice.append("there is no 'support:' page, so people will see national support "
                      "services (Childline, Shout, Samaritans). Add 'support:' with services "
                      "that fit the people you are asking. See docs/consent.md.")
    if "exit_page" not in definition:
        advice.append(f"there is no 'exit_page:', so \"Leave this page\" goes to "
                      f"{DEFAULT_EXIT_URL}. Choose an everyday website that fits your area, "
                      f"like 'exit_page: {DEFAULT_EXIT_URL}'.")
    if not survey.time_to_complete:
        advice.append("there is no 'time_to_complete:'. People like to know how long it "
                      "takes before they start: add one, like 'time_to_complete: about 10 "
                      "minutes'.")
    return [Problem(survey.source, line, "", message[:1].upper() + message[1:],
                    severity="warning") for message in advice]
