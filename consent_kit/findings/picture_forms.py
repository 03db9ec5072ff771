"""Easy Read pictures sent with a part in the studio: for a survey's page and a project's own page.

One set of steps for both editors, so they check the same things and say the
same words: a picture comes only from an upload (never from names a form
could send), a part that isn't saved keeps no picture, and a picture no
version of the page uses any more (a part or its picture removed or
replaced, a newer version published) is deleted.
"""

from __future__ import annotations

from pathlib import Path

from flask import request
from flask_babel import gettext as _

from consent_kit.findings import book as rules
from consent_kit.findings import pictures

#: What a saved picture adds to a part's form; only an upload may set them, never the browser.
PICTURE_FIELDS = ("picture_name", "picture_width", "picture_height", "picture_bytes", "new_id")


def section_form(where: Path, with_picture: bool = True) -> tuple[dict, list]:
    """The posted form as a dict, with a part's uploaded picture kept in ``where``; and any problem.

    Picture fields the browser sent are dropped: only an upload (``with_picture``) sets them.
    A new part gets its id here (``new_id``): the picture's name starts with it,
    and the same id is used when the change is applied under the store's lock.
    """
    form = {k: v for k, v in request.form.to_dict().items() if k not in PICTURE_FIELDS}
    if not form.get("item_id"):
        form["new_id"] = rules.new_id()
    upload = request.files.get("picture") if with_picture else None
    if upload is None or not upload.filename:
        return form, []
    try:
        kept = pictures.save(upload.read(pictures.MAX_BYTES + 1), where,
                             form.get("item_id") or form["new_id"])
    except pictures.PictureError as error:
        message = (_("The picture is too big. Choose one under 5 MB.") if error.reason == "too_big"
                   else _("This file isn't a picture we can use. Choose a JPEG or PNG picture."))
        return form, [("picture", _("Picture"), message)]
    form.update({f"picture_{key}": str(value) for key, value in kept.items()})
    return form, []


def forget_unsaved(where: Path, form: dict) -> None:
    """Delete a picture uploaded with a part that was not saved (from a shared store too)."""
    pictures.forget(where, form.get("picture_name", ""))


def tidying(change, form: dict | None = None):
    """``change(book)`` that also notes the pictures the book no longer uses; and that list.

    Call the returned change under the store's lock, then :func:`forget` the list:
    files go only once the change is written (a failed change deletes nothing).
    A picture uploaded with ``form`` that the change did not keep (its part was
    removed meanwhile) goes too.
    """
    gone: list[str] = []

    def apply(book: dict) -> None:
        before = pictures.kept_names(book)
        if form and form.get("picture_name"):
            before.add(form["picture_name"])
        change(book)
        gone[:] = sorted(before - pictures.kept_names(book))  # the lock may run it again

    return apply, gone


def forget(where: Path, names) -> None:
    """Delete these pictures (after the change that stopped using them is written)."""
    for name in names:
        pictures.forget(where, name)
