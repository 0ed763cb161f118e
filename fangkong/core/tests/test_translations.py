"""No message is left untranslated: Chinese is the default language, English selectable.

Source strings are English. The Chinese catalogue must translate every one of them, which
this test proves by extracting the messages afresh (in a copy of the tree, so the working
copy is untouched) and reading the merged catalogue. Templates must not carry Chinese text
outside the catalogue, or English users would see it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGE = ROOT / "fangkong"
CJK = re.compile(r"[\u4e00-\u9fff]")
#: Language names are shown in their own language on purpose.
ALLOWED_CJK = {"中文", "简体中文"}

pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("CI"),
    reason="GNU gettext is not installed (CI installs it)",
)


def test_every_message_has_a_chinese_translation(tmp_path: Path) -> None:
    # Given a copy of the code and its catalogues
    shutil.copytree(
        PACKAGE,
        tmp_path / "fangkong",
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "tests"),
    )
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    # When messages are extracted from the code as it is now
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "FANGKONG_DEBUG": "1",
        "FANGKONG_VAR_DIR": str(tmp_path / "var"),
    }
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
            "-v",
            "0",
        ],
        cwd=tmp_path,
        env=env,
        check=True,
    )
    # Then every message has a translation that is not marked fuzzy
    catalogue = polib.pofile(str(tmp_path / "fangkong/locale/zh_Hans/LC_MESSAGES/django.po"))
    missing = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
    assert not missing, f"{len(missing)} messages lack a Chinese translation: {missing[:20]}"


def test_templates_carry_no_chinese_outside_the_catalogue() -> None:
    offenders = []
    for template in PACKAGE.rglob("templates/**/*.html"):
        text = re.sub(
            r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", template.read_text(), flags=re.S
        )
        for word in set(re.findall(r"[\u4e00-\u9fff]+", text)) - ALLOWED_CJK:
            offenders.append(f"{template.relative_to(ROOT)}: {word}")
    assert not offenders, offenders
