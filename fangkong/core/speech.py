"""Text to speech on the server, offline: espeak-ng with its Mandarin voice (``cmn``).

The broadcast scripts of mobile publicity (流动宣传) are turned into a WAV to play from a
loudspeaker. espeak-ng is a Debian package (README, "What the machine needs"); where it is
missing, ``available()`` says so and pages tell the user instead of failing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

#: espeak-ng's Mandarin voice.
VOICE = "cmn"
#: Words a minute: a little slower than espeak's 175, for a loudspeaker in the street.
SPEED = 150
#: A script longer than this is refused: a round's message is read in a minute or two.
MAX_CHARACTERS = 2000
#: Seconds espeak-ng may take (it makes a minute of speech in well under a second).
TIMEOUT = 60


class SpeechUnavailable(RuntimeError):
    """espeak-ng (or its Mandarin voice) is not installed on this machine."""


def engine() -> str | None:
    """The path of espeak-ng, or None where it is not installed."""
    return shutil.which("espeak-ng")


def available() -> bool:
    return engine() is not None


def synthesize(text: str) -> bytes:
    """``text`` spoken in Mandarin, as a WAV file's bytes.

    The text goes to espeak-ng on its standard input, never on the command line (a script
    that starts with "-" is not an option, and ``ps`` shows no resident's words)."""
    program = engine()
    if program is None:
        raise SpeechUnavailable(_("espeak-ng is not installed on the server."))
    text = text.strip()
    if not text:
        raise ValueError(_("There is no text to speak."))
    if len(text) > MAX_CHARACTERS:
        raise ValueError(
            _("The text is too long to speak (at most %(n)s characters).") % {"n": MAX_CHARACTERS}
        )
    with tempfile.TemporaryDirectory(prefix="fangkong-speech-") as folder:
        out = Path(folder) / "speech.wav"
        done = subprocess.run(  # noqa: S603 (a fixed program and options; text on stdin)
            [program, "-v", VOICE, "-s", str(SPEED), "-w", str(out), "--stdin"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        if done.returncode != 0 or not out.exists() or out.stat().st_size <= 44:
            detail = done.stderr.decode("utf-8", errors="replace").strip()[:200]
            raise SpeechUnavailable(
                _("espeak-ng could not speak the text: %(detail)s") % {"detail": detail}
            )
        return out.read_bytes()
