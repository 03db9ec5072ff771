"""JavaScript off (progressive enhancement): the whole survey works without it."""

from __future__ import annotations

from browser_formats import walk_formats
from browser_walk import Walker, walk_have_your_say


def test_have_your_say_works_with_javascript_off(new_context, live_server):
    """Consent, every question page, errors, save and carry on, send, change your mind.

    Each error summary still gets the focus: ``autofocus`` needs no JavaScript.
    """
    context = new_context(java_script_enabled=False)
    walker = Walker(context.new_page(), live_server, context.guard)
    walk_have_your_say(walker)
    reached = {state.name for state in walker.states}
    assert {"consent: statements", "check your answers", "thank you",
            "change your mind: answers deleted"} <= reached
    errors = [s for s in walker.states if s.error]
    assert errors and all(s.focus_on_error_summary for s in errors), [
        (s.name, s.focused[:120]) for s in errors if not s.focus_on_error_summary]
    # JavaScript really was off: Chromium didn't even fetch the page's script.
    scripts = [r.url for s in walker.states for r in s.loaded if r.resource_type == "script"]
    assert not scripts, scripts


def test_display_options_and_formats_work_with_javascript_off(new_context, live_server):
    """The options form, Easy Read, Listen, sign language and print, with no script at all."""
    context = new_context(java_script_enabled=False)
    walker = Walker(context.new_page(), live_server, context.guard)
    walk_formats(walker, ("large",))
    names = {state.name for state in walker.states}
    assert "formats: question with Easy Read, Listen and sign language" in names
    sheets = [r.url for s in walker.states for r in s.loaded if r.resource_type == "stylesheet"]
    assert any("/formats/style/large-easy-listen.css" in url for url in sheets), sheets
