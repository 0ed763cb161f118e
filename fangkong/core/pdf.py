"""PDFs in Chinese made by WeasyPrint: pass cards, the sheet of new accounts' passwords.

The text needs a CJK font: without one WeasyPrint would print empty boxes, so
``cjk_font_family`` fails loudly instead (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import translation

#: Preferred families, best first; any other family fontconfig knows for Chinese will do.
PREFERRED_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "AR PL UMing CN",
)


class CJKFontMissing(ImproperlyConfigured):
    """No font for Chinese is installed: printing would give empty boxes."""


@cache
def cjk_font_family() -> str:
    """A font family with Chinese glyphs that fontconfig (and so WeasyPrint) will use."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise CJKFontMissing(
            "fontconfig's fc-list is missing: install fontconfig and "
            "fonts-noto-cjk (apt-get install fonts-noto-cjk)."
        )
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [fc_list, ":lang=zh", "family"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    families = {
        name.strip()
        for line in result.stdout.splitlines()
        for name in line.split(",")
        if name.strip()
    }
    for family in PREFERRED_FAMILIES:
        if family in families:
            return family
    if families:
        return sorted(families)[0]
    raise CJKFontMissing(
        "No font with Chinese glyphs is installed; pass cards would print "
        "empty boxes. Install one: apt-get install fonts-noto-cjk"
    )


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """``template`` rendered in Chinese, whatever the user's language, as a PDF; the
    context gets ``font_family``."""
    from weasyprint import HTML  # imported late: loading Pango costs ~0.3 s

    family = cjk_font_family()
    with translation.override("zh-hans"):
        html = render_to_string(template, {**context, "font_family": family})
    pdf: bytes = HTML(string=html).write_pdf()  # weasyprint has no types
    return pdf
