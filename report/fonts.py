"""A subset of a CJK font, as a CSS @font-face with the font inside (base64 WOFF).

The report embeds only the glyphs of the characters it shows (a few hundred), taken from a CJK
font installed on the machine: Noto Sans CJK SC (Debian's fonts-noto-cjk, SIL Open Font License,
which allows subsetting and embedding) when present, else any simplified-Chinese sans font that
fontconfig knows; TIERING_CJK_FONT=path[#index] picks one. The whole Noto font is 19 MB; the
subset is tens of kB, so the file stays small and renders the same everywhere (DECISIONLOG D102).
"""
from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FAMILY = "Tiering Sans"
PREFERRED = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Micro Hei")
# Always in the subset: printable ASCII and the punctuation the page's number formats use.
BASE_CHARACTERS = "".join(chr(code) for code in range(0x20, 0x7f)) + "·—–×%‰¥°…“”‘’（）：，。、；！？"


def find_cjk_font() -> tuple[Path, int]:
    """(font file, index in a collection) of the CJK font to subset."""
    chosen = os.environ.get("TIERING_CJK_FONT")
    if chosen:
        path, _, index = chosen.partition("#")
        return Path(path), int(index or 0)
    if shutil.which("fc-list") is None:
        raise RuntimeError("fontconfig's fc-list is missing: set TIERING_CJK_FONT=path[#index] to a CJK font")
    listing = subprocess.run(
        ["fc-list", "-f", "%{file}\t%{index}\t%{family[0]}\t%{style[0]}\n", ":lang=zh-cn"],
        capture_output=True, text=True, check=True).stdout
    fonts = []
    for line in listing.splitlines():
        parts = line.split("\t")
        if len(parts) == 4:
            fonts.append((Path(parts[0]), int(parts[1] or 0), parts[2], parts[3]))
    regular = [f for f in fonts if f[3] in ("Regular", "Book", "Normal")] or fonts
    for family in PREFERRED:
        for path, index, name, _style in regular:
            if name == family:
                return path, index
    sans = [f for f in regular if "Sans" in f[2] or "Hei" in f[2]]
    if sans or regular:
        path, index, _, _ = (sans or regular)[0]
        return path, index
    raise RuntimeError("no Chinese font is installed: run scripts/setup_browser.sh (it installs fonts-noto-cjk)"
                       " or set TIERING_CJK_FONT=path[#index]")


def subset_woff(text: str, font: tuple[Path, int] | None = None) -> bytes:
    """A WOFF font holding the glyphs of every character of `text` (and BASE_CHARACTERS)."""
    path, index = font or find_cjk_font()
    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]  # keep the font's names and its licence notice
    options.notdef_outline = True
    source = TTFont(str(path), fontNumber=index, lazy=True)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(text="".join(sorted(set(text + BASE_CHARACTERS))))
    subsetter.subset(source)
    out = io.BytesIO()
    source.flavor = "woff"
    source.save(out)
    return out.getvalue()


def font_face_css(text: str, font: tuple[Path, int] | None = None) -> str:
    """`@font-face` of FAMILY with the subset of `text` as a data: URL."""
    data = base64.b64encode(subset_woff(text, font)).decode("ascii")
    return (f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: 400; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')
