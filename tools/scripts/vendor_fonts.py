"""Re-make tools/reportkit/fonts/: the house typefaces (Noto Sans, Noto Serif), subset to Latin.

The fonts come from Debian's fonts-noto-core package (SIL Open Font License 1.1) and are subset
with fontTools to the Latin, punctuation and symbol ranges an English report uses, without
hinting: about 140 KB a face instead of 500 KB. Embedded in the PDF, self-hosted by the site, named
by the DOCX's styles. Run: .venv/bin/python tools/scripts/vendor_fonts.py  (needs apt-get download
and pip's fonttools; neither is needed to build the report).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

FACES = [
    f"Noto{family}-{style}" for family in ("Sans", "Serif") for style in ("Regular", "Bold", "Italic", "BoldItalic")
]
UNICODES = (
    "U+0020-007E,U+00A0-024F,U+0300-036F,U+1E00-1EFF,U+2000-206F,U+20A0-20CF,U+2100-214F,"
    "U+2190-21FF,U+2200-22FF,U+2500-25FF,U+2713,U+2714,U+FB01-FB04"
)
OUT = Path(__file__).resolve().parents[1] / "reportkit" / "fonts"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["apt-get", "download", "fonts-noto-core"], cwd=tmp, check=True)
        deb = next(Path(tmp).glob("fonts-noto-core_*.deb"))
        subprocess.run(["dpkg", "-x", str(deb), "x"], cwd=tmp, check=True)
        source = Path(tmp) / "x/usr/share/fonts/truetype/noto"
        for face in FACES:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "fontTools.subset",
                    str(source / f"{face}.ttf"),
                    f"--unicodes={UNICODES}",
                    "--layout-features=*",
                    "--no-hinting",
                    f"--output-file={OUT / f'{face}.ttf'}",
                ],
                check=True,
            )
    print(f"wrote {len(FACES)} faces to {OUT}")


if __name__ == "__main__":
    main()
