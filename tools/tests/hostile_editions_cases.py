"""The hostile-editions corpus: reports built to leak outside files into an edition, hang, crash or lie.

Each Case says what to plant in a copy of the minimal fixture report (a chapter, files, symlinks,
FIFOs, lines for report.yml, roster.yml or mkdocs.yml) and where `report check` may locate its error.
The oracle is the same for every case (test_hostile_editions.py): either the check rejects the case
with an error at one of its places and the build refuses, or the check accepts it, the build
succeeds, no secret from outside the repository appears in any output, and the final edition says
what report.yml and the command line say.

Placeholders in any text are filled in when a case is planted:
  @OUTSIDE@  absolute path of the folder beside the report that holds the secrets
  @UP@       the same folder relative to chapters/ (where a case's chapter lives)
  @ROOTUP@   the same folder relative to the report's root
  @HTTP@     a loopback web server serving that folder (for remote images)
Secrets in @OUTSIDE@: secret.txt, secret.typ (the file marker as text), secret.png (a 16x16 image of
random pixels with the file marker in a tEXt chunk), secret.md (a valid chapter), roster.yml and
report.yml (valid, naming the marker), inherit.yml (MkDocs settings naming it), theme/main.html (a
MkDocs template printing it), and dir/ (index.md, secret.png, secret.txt).
Cases with `notes=True` also get notes/ in the repository: symlinks leak.txt, leak.typ, leak.png to
those secrets and environ to /proc/self/environ, a folder no check reads, reachable by any renderer
that follows links; passthrough payloads reach for them.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass, field

FILE_MARKER = "QzSecretFileMarker7305"
ENV_MARKER = "QzSecretEnvMarker6142"
ENV_NAME = "HOSTILE_EDITIONS_SECRET"
OWNER = "secretariat"  # a roster id of the minimal fixture report (and of the sample)
FRONT_LINES = 7  # a case chapter: 6 lines of front matter and a blank line before the body

LEAK, META, RENDER, HANG = "leak", "meta", "render", "hang"


@dataclass(frozen=True)
class Case:
    name: str  # kebab-case, unique: also the case chapter's file name and id
    kind: str  # LEAK, META, RENDER or HANG: what the case is about (the oracle is the same)
    body: str | None = None  # Markdown of a new chapter chapters/90-<name>.md
    title: str | None = None  # that chapter's front matter title (default: "Hostile case <name>")
    files: dict[str, bytes | str] = field(default_factory=dict)  # path -> content
    symlinks: dict[str, str] = field(default_factory=dict)  # path -> link target
    fifos: tuple[str, ...] = ()
    settings: str = ""  # appended to report.yml
    roster: str = ""  # appended to roster.yml (its members list)
    mkdocs: tuple[tuple[str, str], ...] = ()  # (old, new) replacements in mkdocs.yml
    notes: bool = False
    where: tuple[str, ...] = ()  # further files an error may name (line 0 allowed), besides the body
    group: bool = True  # may share one build with other accepted cases
    config_exit: bool = False  # the case breaks report.yml: exit 2 is a fair refusal too

    @property
    def chapter(self) -> str | None:
        return f"chapters/90-{self.name}.md" if self.body is not None else None

    def body_lines(self) -> tuple[int, int]:
        """First and last line of the body in the case chapter."""
        count = (self.body or "").rstrip("\n").count("\n") + 1
        return FRONT_LINES + 1, FRONT_LINES + count

    def chapter_text(self) -> str:
        title = self.title if self.title is not None else f"Hostile case {self.name}"
        return f"---\nid: x-{self.name}\ntitle: {title}\nowner: {OWNER}\nstatus: draft\n---\n\n{self.body}"


# --------------------------------------------------------------------------------------------
# Images built in code: small, exact, and no binary files in the repository
# --------------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, rows: bytes, text: str = "") -> bytes:
    """An 8-bit RGB PNG from filtered scanlines (each row starts with its filter byte)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    extra = _chunk(b"tEXt", b"Comment\0" + text.encode()) if text else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + extra
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def secret_pixels() -> bytes:
    """16x16 RGB pixels from a fixed pseudo-random sequence: no output has them by chance."""
    state, out = 7305, bytearray()
    for _ in range(16 * 16 * 3):
        state = (state * 1103515245 + 12345) % 2**31
        out.append(state >> 16 & 0xFF)
    return bytes(out)


def secret_png() -> bytes:
    pixels = secret_pixels()
    rows = b"".join(b"\0" + pixels[y * 48 : (y + 1) * 48] for y in range(16))
    return png(16, 16, rows, text=FILE_MARKER)


def plain_png(size: int = 8) -> bytes:
    return png(size, size, (b"\0" + b"\x80" * size * 3) * size)


def bomb_png(side: int = 100_000) -> bytes:
    """A 1-bit PNG of side x side zero pixels, about 1 MB, that decodes to side**2 bytes or more.

    Deflating 1.25 GB of zeros takes seconds, so one block of rows is deflated once, ended with a
    full flush (which makes it independent of what precedes it) and repeated; the stream ends with
    an empty final block and the Adler-32 of all-zero data (a = 1, b = length mod 65521).
    """
    row = b"\0" * (1 + (side + 7) // 8)
    block_rows = 1000
    assert side % block_rows == 0
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(row * block_rows) + deflate.flush(zlib.Z_FULL_FLUSH)
    length = len(row) * side
    adler = ((length % 65521) << 16) | 1
    stream = b"\x78\x9c" + block * (side // block_rows) + b"\x03\x00" + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


def giant_header_png() -> bytes:
    """A PNG that declares 100000 x 100000 RGBA pixels and holds one row: decoders that allocate first fail."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 400_001))
        + _chunk(b"IEND", b"")
    )


# A baseline JPEG of 8x8 grey pixels, as Pillow writes it (331 bytes: small enough to keep here).
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123"
    "251d283a333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffc0000b080008"
    "000801011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b51000020103"
    "03020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f024336272"
    "82090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475"
    "767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9"
    "cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f002bffd9"
)

# A 2x2 red TIFF, as Pillow writes it: a format browsers and Word show but Typst does not read.
TIFF = bytes.fromhex(
    "49492a00080000000a0000010400010000000200000001010400010000000200000002010300030000008600000003010300"
    "010000000100000006010300010000000200000011010400010000008c0000001501030001000000030000001601040001"
    "0000000200000017010400010000000c0000001c010300010000000100000000000000080008000800c80a0ac80a0ac80a0a"
    "c80a0a"
)

SVG_PLAIN = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">'
    '<rect width="40" height="20" fill="#1a3a5c"/></svg>\n'
)


def svg_linking(href: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="32" height="32"><image width="32" height="32" href="{href}" xlink:href="{href}"/></svg>\n'
    )


def image_case(name: str, filename: str, content: bytes | str, group: bool = True, kind: str = RENDER) -> Case:
    """A chapter showing images/<filename>, a file that a renderer may fail to decode."""
    return Case(
        name,
        kind,
        body=f"A figure follows.\n\n![A figure of the case {name}](../images/{filename})\n",
        files={f"images/{filename}": content},
        where=(f"images/{filename}",),
        group=group,
    )


# --------------------------------------------------------------------------------------------
# 1. Files outside the repository must never reach an edition
# --------------------------------------------------------------------------------------------

READ = 'read("/notes/leak.txt")'
ENVIRON = 'read("/notes/environ").replace(str.from-unicode(0), " ")'

PASSTHROUGH = [
    # pandoc >= 3 writes `typst:text:*` attributes of a span raw into #text(...): close the call early.
    Case(
        "span-typst-text-read",
        LEAK,
        notes=True,
        body=f"Word [seen]{{typst:text:fill='red)[#{READ}] #text(fill: red'}} end.\n",
    ),
    Case(
        "span-typst-text-include",
        LEAK,
        notes=True,
        body="Word [seen]{typst:text:fill='red)[#include \"/notes/leak.typ\"] #text(fill: red'} end.\n",
    ),
    Case(
        "span-typst-text-attach",
        LEAK,
        notes=True,
        body="Word [seen]{typst:text:fill='red)[#pdf.attach(\"/notes/leak.txt\")] #text(fill: red'} end.\n",
    ),
    Case(
        "span-typst-text-environ",
        LEAK,
        notes=True,
        body=f"Word [seen]{{typst:text:fill='red)[#{ENVIRON}] #text(fill: red'}} end.\n",
    ),
    # A div's `typst:*` attributes go into #block(...), its `typst:text:*` into #set text(...).
    Case(
        "div-typst-block-image",
        LEAK,
        notes=True,
        body="::: {typst:inset='0pt)[#image(\"/notes/leak.png\")] #block(inset: 0pt'}\nInside.\n:::\n",
    ),
    Case(
        "div-typst-set-text-read",
        LEAK,
        notes=True,
        body=f"::: {{typst:text:fill='red); #{READ}; #set text(fill: red'}}\nInside.\n:::\n",
    ),
    # A table caption carries attributes: `typst:figure:kind`, `typst:*` and the class typst:no-figure.
    Case(
        "table-figure-kind",
        LEAK,
        notes=True,
        body=f"| a | b |\n|---|---|\n| 1 | 2 |\n\n: Caption {{typst:figure:kind='table, supplement: {READ}'}}\n",
    ),
    Case(
        "table-typst-attribute",
        LEAK,
        notes=True,
        body=f"| a | b |\n|---|---|\n| 1 | 2 |\n\n: Caption {{typst:inset='6pt, fill: (x, y) => none, "
        f"stroke: none, ..([#{READ}],)'}}\n",
    ),
    Case(
        "table-no-figure-set-text",
        LEAK,
        notes=True,
        body=f"| a | b |\n|---|---|\n| 1 | 2 |\n\n: Caption {{.typst:no-figure typst:text:fill='red); "
        f"[#{READ}]; set text(fill: red'}}\n",
    ),
    Case("div-typst-label", LEAK, notes=True, body=f"::: {{#box typst-label='x>#{READ}<y'}}\nLabelled.\n:::\n"),
    Case(
        "span-in-heading",
        LEAK,
        notes=True,
        body=f"## A heading [seen]{{typst:text:fill='red)[#{READ}] #text(fill: red'}}\n\nText.\n",
    ),
    Case(
        "span-in-footnote",
        LEAK,
        notes=True,
        body=f"Text.[^n]\n\n[^n]: A note [seen]{{typst:text:fill='red)[#{READ}] #text(fill: red'}}.\n",
    ),
    Case(
        "span-in-table-cell",
        LEAK,
        notes=True,
        body=f"| a | b |\n|---|---|\n| [seen]{{typst:text:fill='red)[#{READ}] #text(fill: red'}} | 2 |\n",
    ),
    Case(
        "span-in-blockquote-list",
        LEAK,
        notes=True,
        body=f"> - An item [seen]{{typst:text:fill='red)[#{READ}] #text(fill: red'}} here.\n",
    ),
    Case(
        "span-in-definition",
        LEAK,
        notes=True,
        body=f"Term [seen]{{typst:text:fill='red)[#{READ}] #text(fill: red'}}\n:   Its definition.\n",
    ),
    Case(
        "span-in-link-text",
        LEAK,
        notes=True,
        body=f"A [link [seen]{{typst:text:fill='red)[#{READ}] #text(fill: red'}}](https://example.org).\n",
    ),
    # Raw passthrough is switched off in the reader today; these must stay harmless or be errors.
    Case("raw-typst-block", LEAK, notes=True, body=f"```{{=typst}}\n#{READ}\n```\n"),
    Case("raw-typst-inline", LEAK, notes=True, body=f"Inline `#{READ}`{{=typst}} raw.\n"),
    Case(
        "raw-openxml-block",
        LEAK,
        body='```{=openxml}\n<w:p><w:fldSimple w:instr="INCLUDETEXT &quot;@OUTSIDE@/secret.txt&quot;"/></w:p>\n```\n',
    ),
    Case(
        "raw-openxml-inline",
        LEAK,
        body='Word `<w:fldSimple w:instr="INCLUDEPICTURE &quot;@OUTSIDE@/secret.png&quot;"/>`{=openxml} field.\n',
    ),
    Case("raw-html-block", LEAK, body='```{=html}\n<img src="@UP@/secret.png" alt="x">\n```\n'),
    # Identifiers, link targets, image paths and captions are quoted by pandoc; the quoting must hold.
    Case("heading-id-quotes", LEAK, notes=True, body=f'## Heading {{#h")[#{READ}]#label("x}}\n\nText.\n'),
    Case("link-target-quotes", LEAK, notes=True, body=f'A [link](https://example.org/a"+{READ}+"b) here.\n'),
    Case(
        "image-path-quotes",
        LEAK,
        files={'images/q"(x).png': plain_png()},
        body='![An odd name](<../images/q"(x).png>)\n',
    ),
    Case("caption-markup", LEAK, notes=True, body=f"| a |\n|---|\n| 1 |\n\n: Caption #{READ} and ]#{READ}[\n"),
    Case("code-class-quotes", LEAK, notes=True, body=f'```{{.x"}}\n#{READ}\n```\n'),
    Case(
        "svg-linking-through-symlink",
        LEAK,
        notes=True,
        files={"images/linking.svg": svg_linking("../notes/leak.png")},
        body="![A linking drawing](../images/linking.svg)\n",
        where=("images/linking.svg",),
    ),
]

IMAGES_OUT = [
    Case("image-absolute-path", LEAK, body="![The secret](@OUTSIDE@/secret.png)\n"),
    Case("image-dotdot-path", LEAK, body="![The secret](@UP@/secret.png)\n"),
    Case("image-proc-environ", LEAK, body="![The environment](/proc/self/environ)\n"),
    Case("image-file-url", LEAK, body="![The secret](file://@OUTSIDE@/secret.png)\n"),
    Case("image-percent-encoded", LEAK, body="![The secret](%2Fproc%2Fself%2Fenviron)\n"),
    Case(
        "image-symlink-in-images",
        LEAK,
        symlinks={"images/leak-link.png": "@OUTSIDE@/secret.png"},
        body="![The secret](../images/leak-link.png)\n",
        where=("images/leak-link.png",),
    ),
    Case(
        "image-symlinked-folder",
        LEAK,
        symlinks={"images/leak-dir": "@OUTSIDE@/dir"},
        body="![The secret](../images/leak-dir/secret.png)\n",
        where=("images/leak-dir",),
    ),
    Case(
        "symlink-chapter", LEAK, symlinks={"chapters/91-leak.md": "@OUTSIDE@/secret.md"}, where=("chapters/91-leak.md",)
    ),
    Case("symlink-annex", LEAK, symlinks={"annexes/91-leak.md": "@OUTSIDE@/secret.md"}, where=("annexes/91-leak.md",)),
    # What the check's own scanner does not see, pandoc still reads.
    Case("reference-image-absolute", LEAK, body="![The secret][s]\n\n[s]: @OUTSIDE@/secret.png\n"),
    Case("reference-image-environ", LEAK, body="![The environment][e]\n\n[e]: /proc/self/environ\n"),
    Case("reference-image-file-url", LEAK, body="![The secret][f]\n\n[f]: file://@OUTSIDE@/secret.png\n"),
    Case("reference-image-root-relative", LEAK, body="![The secret][r]\n\n[r]: @ROOTUP@/secret.png\n"),
    Case("reference-image-symlink-in-repo", LEAK, notes=True, body="![The secret][n]\n\n[n]: notes/leak.png\n"),
    Case("reference-link-file-url", LEAK, body="A [local file][l] link.\n\n[l]: file://@OUTSIDE@/secret.txt\n"),
    Case("image-in-html-comment", LEAK, body="Text <!-- ![The secret](@OUTSIDE@/secret.png) --> more.\n"),
    Case("image-after-escaped-backtick", LEAK, body="A \\`quote ![The secret](@OUTSIDE@/secret.png)` here.\n"),
    Case("image-in-unclosed-fence", LEAK, body="Text.\n\n```\n![The secret](@OUTSIDE@/secret.png)\n"),
    Case("image-inside-link", LEAK, body="[![The secret](@OUTSIDE@/secret.png)](https://example.org)\n"),
    Case("image-nested-alt", LEAK, body="![a [b [c]] d](@OUTSIDE@/secret.png)\n"),
    Case("image-in-footnote", LEAK, body="Text.[^n]\n\n[^n]: ![The secret](@OUTSIDE@/secret.png)\n"),
    Case("image-entity-path", LEAK, body="![The secret](&#47;proc&#47;self&#47;environ)\n"),
    Case("image-remote-loopback", LEAK, body="![A remote picture](@HTTP@/secret.png)\n"),
    Case(
        "html-img-src",
        LEAK,
        body='<img src="@UP@/secret.png" alt="x">\n\n<img src="file://@OUTSIDE@/secret.png" alt="y">\n',
    ),
]

ELSEWHERE = [
    Case(
        "title-image",
        LEAK,
        title='"Title ![The environment](/proc/self/environ)"',
        body="Text.\n",
        where=("chapters/90-title-image.md",),
    ),
    Case(
        "title-typst-span",
        LEAK,
        notes=True,
        where=("chapters/90-title-typst-span.md",),
        body="Text.\n",
        title=json.dumps(f"Title [seen]{{typst:text:fill='red)[#{READ}] #text(fill: red'}}"),
    ),
    Case(
        "roster-name-image",
        LEAK,
        group=False,
        where=("roster.yml", "annexes/09-roster.md"),
        files={
            "annexes/09-roster.md": "---\nid: roster-annex\ntitle: Roster\nowner: secretariat\n"
            "status: draft\nroster: true\n---\n\nThe Panel.\n"
        },
        roster='  - id: hostile\n    name: "A ![face](/proc/self/environ) member"\n    role: member\n',
    ),
    Case(
        "roster-affiliation-typst",
        LEAK,
        group=False,
        notes=True,
        where=("roster.yml", "annexes/09-roster.md"),
        files={
            "annexes/09-roster.md": "---\nid: roster-annex\ntitle: Roster\nowner: secretariat\n"
            "status: draft\nroster: true\n---\n\nThe Panel.\n"
        },
        roster=(
            "  - id: hostile\n    name: A member\n    role: member\n"
            "    affiliation: " + json.dumps(f"[seen]{{typst:text:fill='red)[#{READ}] #text(fill: red'}}") + "\n"
        ),
    ),
]

SILENCED = [
    Case(
        "rules-off-image-outside",
        LEAK,
        group=False,
        settings="rules:\n  image.outside: 'off'\n",
        body="![The secret](@OUTSIDE@/secret.png)\n\n![The environment](/proc/self/environ)\n",
        where=("report.yml",),
    ),
    Case(
        "rules-off-file-outside",
        LEAK,
        group=False,
        settings="rules:\n  file.outside: 'off'\n",
        symlinks={"images/leak-off.png": "@OUTSIDE@/secret.png", "chapters/91-leak.md": "@OUTSIDE@/secret.md"},
        body="![The secret](../images/leak-off.png)\n",
        where=("report.yml", "images/leak-off.png", "chapters/91-leak.md"),
    ),
    Case(
        "rules-off-everything",
        LEAK,
        group=False,
        settings=(
            "rules:\n  image.outside: 'off'\n  file.outside: 'off'\n  link.outside: 'off'\n"
            "  link.scheme: 'off'\n  image.missing: 'off'\n"
        ),
        symlinks={"images/leak-all.png": "@OUTSIDE@/secret.png", "chapters/91-leak.md": "@OUTSIDE@/secret.md"},
        body=(
            "![a](@UP@/secret.png) ![b](file://@OUTSIDE@/secret.png) ![c](../images/leak-all.png)\n\n"
            "[d](@UP@/secret.txt) ![e](&#47;proc&#47;self&#47;environ)\n"
        ),
        where=("report.yml", "images/leak-all.png", "chapters/91-leak.md"),
    ),
]

SITE = [
    Case("web-symlink-file", LEAK, symlinks={"web/leak.txt": "@OUTSIDE@/secret.txt"}, where=("web/leak.txt",)),
    Case("web-symlink-folder", LEAK, symlinks={"web/leak-dir": "@OUTSIDE@/dir"}, where=("web/leak-dir",)),
    Case(
        "web-symlink-stylesheet",
        LEAK,
        symlinks={"web/assets/leak.css": "@OUTSIDE@/secret.txt"},
        where=("web/assets/leak.css",),
    ),
    Case(
        "web-home-page-symlink",
        LEAK,
        group=False,
        files={},
        symlinks={"web/index.md": "@OUTSIDE@/dir/index.md"},
        where=("web/index.md",),
    ),
    Case(
        "mkdocs-env-tag",
        LEAK,
        group=False,
        mkdocs=(("site_author:", f"copyright: !ENV {ENV_NAME}\nsite_author:"),),
        where=("mkdocs.yml",),
    ),
    Case(
        "mkdocs-snippets-outside",
        LEAK,
        group=False,
        mkdocs=(
            (
                "  - admonition\n",
                ("  - admonition\n  - pymdownx.snippets:\n      base_path: ['/']\n      restrict_base_path: false\n"),
            ),
        ),
        body='Included:\n\n--8<-- "@OUTSIDE@/secret.txt"\n',
        where=("mkdocs.yml",),
    ),
    Case(
        "mkdocs-docs-dir-outside",
        LEAK,
        group=False,
        mkdocs=(("docs_dir: web", "docs_dir: @ROOTUP@/dir"),),
        where=("mkdocs.yml",),
    ),
    Case(
        "mkdocs-inherit-outside",
        LEAK,
        group=False,
        where=("mkdocs.yml",),
        mkdocs=(("site_name:", "INHERIT: @ROOTUP@/inherit.yml\nsite_name:"),),
    ),
    Case(
        "mkdocs-theme-dir-outside",
        LEAK,
        group=False,
        where=("mkdocs.yml",),
        mkdocs=(("  name: material\n", "  name: material\n  custom_dir: @ROOTUP@/theme\n"),),
    ),
    Case(
        "mkdocs-hook-in-repository",
        LEAK,
        group=False,
        where=("mkdocs.yml", "hooks/leak.py"),
        files={
            "hooks/leak.py": "def on_page_markdown(markdown, **kwargs):\n"
            "    return markdown + open('@OUTSIDE@/secret.txt').read()\n"
        },
        mkdocs=(("plugins:", "hooks:\n  - hooks/leak.py\n\nplugins:"),),
    ),
    # mkdocs.yml values the theme turns into scripts, requests or pages that fail the audit: each is
    # refused by the check at its line, never accepted by the check and then refused by the build.
    *(
        Case(f"mkdocs-{name}", RENDER, group=False, where=("mkdocs.yml",), mkdocs=(change,))
        for name, change in (
            (
                "extra-analytics",
                (
                    "  generator: false",
                    "  generator: false\n  analytics:\n    provider: google\n    property: G-ABCDEF1234",
                ),
            ),
            (
                "extra-social",
                (
                    "  generator: false",
                    "  generator: false\n  social:\n    - icon: material/home\n      link: javascript:alert(1)",
                ),
            ),
            ("palette-toggle", ("    scheme: default\n", "    scheme: default\n    toggle:\n      name: Dark\n")),
            ("feature-announce-dismiss", ("    - toc.follow", "    - toc.follow\n    - announce.dismiss")),
            ("feature-search-share", ("    - toc.follow", "    - toc.follow\n    - search.share")),
            ("logo-script", ("  font: false", "  font: false\n  logo: 'javascript:alert(1)'")),
            ("favicon-remote", ("  font: false", "  font: false\n  favicon: https://tracker.example/x.png")),
            ("icon-traversal", ("  font: false", "  font: false\n  icon:\n    logo: ../../../../etc/passwd")),
            ("language-quote", ("  language: en", "  language: 'en\" onload=\"alert(1)'")),
            ("google-fonts", ("  font: false", "  font:\n    text: Roboto")),
            (
                "site-name-markup",
                ("site_name: The Age of Digital Interdependence", "site_name: '</title><script>x</script>'"),
            ),
            (
                "site-url-quote",
                (
                    "site_url: https://un-digital-cooperation.github.io/panel-report/",
                    "site_url: 'https://x.example/\" a=\"'",
                ),
            ),
            ("nav", ("plugins:", "nav:\n  - Home: index.md\n\nplugins:")),
            ("critic-accept", ("      mode: view", "      mode: accept")),
            ("site-dir-outside", ("site_dir: build/site", "site_dir: /tmp/hostile-site")),
        )
    ),
    # web/'s own pages, as MkDocs reads them in strict mode: refused by the check at their line, or built.
    *(
        Case(f"web-page-{name}", RENDER, group=False, where=("web/extra.md",), files={"web/extra.md": content})
        for name, content in (
            ("not-utf8", b"# Extra\n\nCaf\xe9 au lait.\n"),
            ("template", "---\ntemplate: ../../../../etc/passwd\n---\n\n# Extra\n"),
            ("title-markup", '---\ntitle: "<script>alert(1)</script>"\n---\n\n# Extra\n'),
            ("bad-yaml", "---\ntitle: [unclosed\n---\n\n# Extra\n"),
            ("broken-link", "# Extra\n\nSee [the rest](missing.md).\n"),
            ("broken-anchor", "# Extra\n\nSee [the mandate](chapters/01-intro.md#no-such-heading).\n"),
            ("absolute-link", "# Extra\n\nSee [the report](/chapters/01-intro.md).\n"),
            ("folder-link", "# Extra\n\nSee [the chapters](chapters/).\n"),
            ("missing-image", "# Extra\n\n![A chart](chart.png)\n"),
            (
                "good-links",
                "# Extra\n\n## Part\n\nSee [home](index.md), [part](#part), [recs](recommendations/index.md).\n",
            ),
        )
    ),
    Case("roster-symlink", LEAK, group=False, symlinks={"roster.yml": "@OUTSIDE@/roster.yml"}, where=("roster.yml",)),
    Case(
        "report-yml-symlink",
        LEAK,
        group=False,
        symlinks={"report.yml": "@OUTSIDE@/report.yml"},
        where=("report.yml",),
        config_exit=True,
    ),
]

# --------------------------------------------------------------------------------------------
# 5. Text in a chapter body that would set the edition's metadata for pandoc
# --------------------------------------------------------------------------------------------

META_CASES = [
    Case("yaml-block-title-draft", META, body="Before.\n\n---\ntitle: Forged Title\ndraft: true\n---\n\nAfter.\n"),
    Case("pandoc-title-block", META, body="% Forged Title\n% Forged Author\n% Forged date\n\nText.\n"),
    Case("yaml-block-edition", META, body="Before.\n\n---\nedition: Forged edition\n...\n\nAfter.\n"),
    Case(
        "yaml-block-docx-fields",
        META,
        body=(
            "Before.\n\n---\nsubtitle: Forged subtitle\nauthor: Forged Author\ndate: Forged date\n"
            "abstract: Forged abstract\nsubject: Forged subject\nkeywords: [Forged]\n"
            "description: Forged description\ncategory: Forged\n---\n\nAfter.\n"
        ),
    ),
    Case("yaml-block-lang", META, body="Before.\n\n---\nlang: fr-CA\n---\n\nAfter.\n"),
    Case(
        "yaml-block-template-variable",
        META,
        body="Before.\n\n---\nhighlighting-definitions: Forged text before the title page\n---\n\nAfter.\n",
    ),
    Case("yaml-block-direction", META, body="Before.\n\n---\ndir: rtl\n---\n\nAfter.\n"),
    Case("yaml-block-at-end", META, body="Text.\n\n---\ndraft: true\ntitle: Forged Title\n---\n"),
    Case("yaml-block-in-list", META, body="- Item.\n\n    ---\n    draft: true\n    ---\n\nAfter.\n"),
    Case(
        "yaml-block-code-strings",
        META,
        body='Before.\n\n---\ncommit: \'") #read("/report.yml") #raw("\'\ntitle-string: Forged\n---\n\nAfter.\n',
    ),
]

# --------------------------------------------------------------------------------------------
# 4. Clean to the check, fatal to a renderer: deep nesting and images that do not decode
# --------------------------------------------------------------------------------------------

RENDER_CASES = [
    # Pathological nesting may take a renderer seconds or its memory: each is built alone.
    Case("blockquotes-500", RENDER, body=">" * 500 + " Deep.\n", group=False),
    Case("lists-300", RENDER, body="\n".join("    " * i + "- level" for i in range(300)) + "\n", group=False),
    Case("brackets-1000", RENDER, body="[" * 1000 + "x" + "]" * 1000 + "\n", group=False),
    Case("spaced-brackets-1000", RENDER, body="[ " * 1000 + "x" + " ]" * 1000 + "\n", group=False),
    Case("emphasis-1000", RENDER, body="*_" * 500 + "deep" + "_*" * 500 + "\n", group=False),
    Case(
        "links-in-emphasis-300", RENDER, body="[*" * 300 + "deep" + "*](https://example.org)" * 300 + "\n", group=False
    ),
    Case("code-in-links-300", RENDER, body="[`a` " * 300 + "deep" + "](https://example.org)" * 300 + "\n", group=False),
    Case("divs-300", RENDER, body="::: {.d}\n" * 300 + "Deep.\n" + ":::\n" * 300, group=False),
    Case("html-divs-500", RENDER, body="<div>" * 500 + "Deep." + "</div>" * 500 + "\n", group=False),
    Case("image-bang-runs", RENDER, body="![" * 30_000 + "\n", group=False),
    image_case("png-holding-text", "text.png", "This is not a picture.\n"),
    image_case("png-truncated", "truncated.png", plain_png(64)[:60]),
    image_case("png-empty", "empty.png", b""),
    image_case("jpeg-named-png", "jpeg.png", JPEG),
    image_case("svg-plain", "plain.svg", SVG_PLAIN),
    image_case("tiff-image", "red.tiff", TIFF),
    image_case("png-without-extension", "noextension", plain_png()),
    Case(
        "image-path-is-a-folder",
        RENDER,
        files={"images/folder.png/keep.txt": "A folder named like an image.\n"},
        body="![A folder](../images/folder.png)\n",
        where=("images/folder.png",),
    ),
    image_case("svg-malformed", "broken.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="4"'),
    image_case("svg-linking-absolute", "absolute.svg", svg_linking("file:///etc/hostname")),
    image_case("png-giant-header", "giant.png", giant_header_png(), group=False),
    image_case("png-bomb", "bomb.png", bomb_png(), group=False),
]

# --------------------------------------------------------------------------------------------
# 3. Files that block a reader: FIFOs and symlink loops (each run under a hang guard)
# --------------------------------------------------------------------------------------------

HANG_CASES = [
    Case("fifo-chapter", HANG, fifos=("chapters/09-x.md",), where=("chapters/09-x.md",), group=False),
    Case("fifo-annex", HANG, fifos=("annexes/09-x.md",), where=("annexes/09-x.md",), group=False),
    Case(
        "fifo-image",
        HANG,
        fifos=("images/fifo.png",),
        body="![A blocked figure](../images/fifo.png)\n",
        where=("images/fifo.png",),
        group=False,
    ),
    Case("fifo-web-page", HANG, fifos=("web/blocked.md",), where=("web/blocked.md",), group=False),
    Case("fifo-unreferenced-image", HANG, fifos=("images/unused.png",), where=("images/unused.png",), group=False),
    Case("symlink-loop-web", HANG, symlinks={"web/loop.md": "loop.md"}, where=("web/loop.md",), group=False),
    Case(
        "symlink-loop-report-yml",
        HANG,
        symlinks={"report.yml": "report.yml"},
        where=("report.yml",),
        group=False,
        config_exit=True,
    ),
    Case("fifo-web-asset", HANG, fifos=("web/assets/blocked.css",), where=("web/assets/blocked.css",), group=False),
    Case("fifo-report-yml", HANG, fifos=("report.yml",), where=("report.yml",), group=False, config_exit=True),
    Case("fifo-roster-yml", HANG, fifos=("roster.yml",), where=("roster.yml",), group=False),
    Case("fifo-mkdocs-yml", HANG, fifos=("mkdocs.yml",), where=("mkdocs.yml",), group=False),
    Case("fifo-build-lock", HANG, fifos=(".build.lock",), where=(".build.lock",), group=False),
    Case(
        "symlink-loop-chapter",
        HANG,
        symlinks={"chapters/09-loop.md": "09-loop.md"},
        where=("chapters/09-loop.md",),
        group=False,
    ),
    Case(
        "symlink-loop-image",
        HANG,
        symlinks={"images/loop.png": "loop.png"},
        body="![A looping figure](../images/loop.png)\n",
        where=("images/loop.png",),
        group=False,
    ),
]

CASES: list[Case] = PASSTHROUGH + IMAGES_OUT + ELSEWHERE + SILENCED + SITE + META_CASES + RENDER_CASES + HANG_CASES

# --------------------------------------------------------------------------------------------
# 2 and 5: cases with their own procedure (test_hostile_editions.py runs them)
# --------------------------------------------------------------------------------------------

BAD_EPOCHS = ["abc", "-5", "1e9", "99999999999999999999", "12.5", "0x10"]

# What `report build` reads for a final edition: these, and nothing the text says.
EDITION_NAME = "Hostile Final 2019"
FORGED = "Forged"


def fill(text: str, values: dict[str, str]) -> str:
    return re.sub(r"@(OUTSIDE|UP|ROOTUP|HTTP)@", lambda m: values[m.group(1)], text)


def check_corpus() -> list[str]:
    """Mistakes in the corpus itself: duplicate names, or two grouped cases writing one path."""
    problems: list[str] = []
    seen_names: set[str] = set()
    seen_paths: dict[str, str] = {}
    for case in CASES:
        if case.name in seen_names:
            problems.append(f"two cases are named {case.name}")
        seen_names.add(case.name)
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case.name):
            problems.append(f"{case.name} is not kebab-case")
        if not case.group:
            continue
        for path in [*case.files, *case.symlinks, *case.fifos] + ([case.chapter] if case.chapter else []):
            if path in seen_paths:
                problems.append(f"{case.name} and {seen_paths[path]} both write {path}")
            seen_paths[path] = case.name
        if case.settings or case.mkdocs or case.roster:
            problems.append(f"{case.name} changes a shared file and cannot share a build")
    return problems
