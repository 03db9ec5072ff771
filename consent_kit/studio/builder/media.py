"""The accessible versions of a question, as the builder sets them: Easy Read and sign language.

The same keys as a survey file (see docs/accessible-formats.md)::

    easy_read:
      label: Do you feel safe at the club?
      image: pictures/safe.png   # in the forms folder, next to the survey file
      alt: A young person smiling in a sports hall
    bsl: https://example.org/videos/safe.mp4

Pure operations on the definition; the loader checks the result (a picture that
isn't there, a picture without alt text, a link that isn't https).
"""

from __future__ import annotations

from consent_kit.studio.builder.ops import BuilderError, _l, find_question
from consent_kit.studio.builder.texts import clone, language_of, normalise_words, set_text


def set_easy_read(definition: dict, question_id: str, *, words: str, image: str = "", alt: str = ""
                  ) -> dict:
    """Give a question its Easy Read words and picture, or take them away when all are empty.

    Other languages of the Easy Read words are kept, like every text the builder changes.
    """
    changed = clone(definition)
    _, _, question = find_question(changed, question_id)
    apply_easy_read(question, language_of(changed), words=words, image=image, alt=alt, text_key="label")
    return changed


def apply_easy_read(item: dict, language: str, *, words: str, image: str, alt: str,
                    text_key: str) -> None:
    """Set ``item``'s ``easy_read`` in place (``text_key`` is "label" for questions, "text" for sections)."""
    words, image, alt = normalise_words(words), normalise_words(image), normalise_words(alt)
    if not (words or image or alt):
        item.pop("easy_read", None)
        return
    easy = dict(item["easy_read"]) if isinstance(item.get("easy_read"), dict) else {}
    set_text(easy, text_key, words, language, keep_empty=True)
    for key, value in (("image", image), ("alt", alt)):
        if value:
            easy[key] = value
        else:
            easy.pop(key, None)
    item["easy_read"] = easy


def video_link(typed: str) -> str:
    """A sign language video's address as typed ("" for none); refused in the builder's words
    (the survey file's own check names 'bsl:', which people using the builder never see)."""
    url = normalise_words(typed)
    if url and not url.lower().startswith("https://"):
        raise BuilderError(_l("Write the whole web address of the video, starting with https://"),
                           "bsl")
    return url


def set_sign_language(definition: dict, question_id: str, url: str) -> dict:
    """Link a question to a sign language video (BSL or another), or remove the link when empty."""
    changed = clone(definition)
    _, _, question = find_question(changed, question_id)
    url = video_link(url)
    if url:
        question["bsl"] = url
    else:
        question.pop("bsl", None)
    return changed
