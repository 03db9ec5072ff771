"""Read-aloud audio made on this computer with espeak-ng, kept per text and voice (no Flask).

Nothing is sent anywhere: espeak-ng runs here, and its sound is squeezed into a
small MP3 (with lameenc, no other program) so a question costs tens of KB on a
phone's data plan, not most of a megabyte. The same words in the same
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
import wave
from functools import lru_cache
from pathlib import Path

SPEED = 150  # words a minute: a little slower than espeak-ng's 175, easier to follow
TIMEOUT = 60  # seconds for one text; a consent section can be long
#: espeak-ng's voice for a language where the plain code isn't the best one.
PREFERRED = {"en": "en-gb", "pt": "pt-br"}
#: MP3 at 16,000 samples a second (MPEG-2, which every phone browser plays; lower rates
#: need "MPEG-2.5", which some don't). 24 kbit/s is clear speech; a long text drops to 16
#: so that a question stays under about 56 KB.
MP3_RATE = 16_000
MP3_KBPS = 24
MP3_KBPS_LONG = 16
MAX_BYTES = 56 * 1024


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
    return f"{digest}.mp3"


def to_mp3(wav_path: str) -> bytes:
    """The speech in a WAV file as a small mono MP3 (see :data:`MP3_KBPS`)."""
    with wave.open(wav_path, "rb") as sound:
        channels, rate = sound.getnchannels(), sound.getframerate()
        width, pcm = sound.getsampwidth(), sound.readframes(sound.getnframes())
    if width != 2:
        raise SpeechUnavailable(f"espeak-ng gave {width * 8}-bit sound, not 16-bit")
    seconds = len(pcm) / (2 * channels * rate) if rate else 0
    kbps = MP3_KBPS if seconds * MP3_KBPS * 1000 / 8 <= MAX_BYTES else MP3_KBPS_LONG
    import lameenc  # here, not at start-up: only read-aloud needs it

    encoder = lameenc.Encoder()
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(MP3_RATE)
    encoder.set_channels(channels)
    encoder.set_bit_rate(kbps)
    encoder.set_quality(2)  # 2 = high quality, slower: each text is encoded once and kept
    return bytes(encoder.encode(pcm) + encoder.flush())


def speak(text: str, language: str, cache: Path) -> Path:
    """The MP3 file of ``text`` read aloud in ``language``, made now if it isn't kept yet."""
    path, voice = program(), voice_for(language)
    if path is None or voice is None:
        raise SpeechUnavailable(f"no espeak-ng voice for {language!r}")
    target = cache / audio_name(text, voice)
    if target.is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=cache, suffix=".part")
    os.close(handle)
    sound = temporary + ".wav"
    try:
        done = subprocess.run([path, "-v", voice, "-s", str(SPEED), "-w", sound, "--stdin"],
                              input=text, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
        if done.returncode != 0 or not os.path.exists(sound) or os.path.getsize(sound) == 0:
            raise SpeechUnavailable(done.stderr.strip() or "espeak-ng made no sound")
        Path(temporary).write_bytes(to_mp3(sound))
        os.replace(temporary, target)
    except subprocess.TimeoutExpired as error:
        raise SpeechUnavailable("espeak-ng took too long") from error
    finally:
        for leftover in (temporary, sound):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return target
