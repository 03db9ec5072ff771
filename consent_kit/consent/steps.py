"""The contract for a page a plugin adds to the consent steps."""

from __future__ import annotations


class ConsentStep:
    """A page shown after the information, e.g. a video or an audio explanation.

    Set ``name`` (unique, used in the address) and ``title``; override
    :meth:`render` to return safe HTML (escape anything you did not write), and
    :meth:`applies_to` to choose the surveys it is for.
    """

    name: str = ""
    title: str = ""

    def applies_to(self, survey) -> bool:
        """True when this step is shown for ``survey`` (default: every survey with consent)."""
        return survey.consent is not None

    def render(self, *, survey, language: str) -> str:
        """The step's content as safe HTML (a ``markupsafe.Markup``)."""
        raise NotImplementedError
