"""Read-aloud audio made on this computer with espeak-ng, kept per text and voice (no Flask).

Nothing is sent anywhere: espeak-ng runs here. The same words in the same
voice always give the same file name (a hash), so each text is spoken once
and kept; a changed question gets new audio by itself. Files are written to
a temporary name and renamed, so two workers making the same audio at once
never leave half a file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

SPEED = 150  # words a minute: a little slower than espeak-ng's 175, easier to follow
TIMEOUT = 60  # seconds for one text; a consent section can be long
#: espeak-ng's voice for a language where the plain code isn't the best one.
PREFERRED = {"en": "en-gb", "pt": "pt-br"}


class SpeechUnavailable(Exception):
    """espeak-ng is missing, has no voice for the language, or failed."""


def program() -> str | None:
    """The path of espeak-ng, or None when it isn't installed."""
    return shutil.which("espeak-ng")


@lru_cache(maxsize=4)
def _voices(path: str) -> frozenset[str]:
    done = subprocess.run([path, "--voices"], capture_output=True, text=True, timeout=TIMEOUT,
                          check=False)
    names = set()
    for line in done.stdout.splitlines()[1:]:
        fields = line.split()
        if len(fields) > 1:
            names.add(fields[1].lower())
    return frozenset(names)


def voice_for(language: str) -> str | None:
    """espeak-ng's voice for a language code such as "en", "cy" or "ar" (None if it has none)."""
    path = program()
    if path is None:
        return None
    voices = _voices(path)
    code = language.lower().replace("_", "-")
    for candidate in (PREFERRED.get(code), code, code.split("-")[0]):
        if candidate and candidate in voices:
            return candidate
    return None


def audio_name(text: str, voice: str) -> str:
    """The cache file name for these words in this voice."""
    digest = hashlib.sha256(f"{voice}\n{SPEED}\n{text}".encode()).hexdigest()[:32]
    return f"{digest}.wav"


def speak(text: str, language: str, cache: Path) -> Path:
    """The WAV file of ``text`` read aloud in ``language``, made now if it isn't kept yet."""
    path, voice = program(), voice_for(language)
    if path is None or voice is None:
        raise SpeechUnavailable(f"no espeak-ng voice for {language!r}")
    target = cache / audio_name(text, voice)
    if target.is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=cache, suffix=".part")
    os.close(handle)
    try:
        done = subprocess.run([path, "-v", voice, "-s", str(SPEED), "-w", temporary, "--stdin"],
                              input=text, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
        if done.returncode != 0 or os.path.getsize(temporary) == 0:
            raise SpeechUnavailable(done.stderr.strip() or "espeak-ng made no sound")
        os.replace(temporary, target)
    except subprocess.TimeoutExpired as error:
        raise SpeechUnavailable("espeak-ng took too long") from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target
