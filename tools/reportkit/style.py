"""The house style, defined once: typefaces, sizes, colours, the recommendation box, tables, notes,
dates. The PDF template takes its values from `typst_preamble()`, the site its style sheet from
`site_css()`, and the DOCX reference document is made from these values
(tools/scripts/make_reference_docx.py) and checked against them by a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Face:
    family: str
    files: dict[str, str]  # "regular", "bold", "italic", "bold-italic" -> file name in fonts/


def _face(family: str, stem: str) -> Face:
    return Face(
        family,
        {
            "regular": f"{stem}-Regular.ttf",
            "bold": f"{stem}-Bold.ttf",
            "italic": f"{stem}-Italic.ttf",
            "bold-italic": f"{stem}-BoldItalic.ttf",
        },
    )


# Open-licensed (SIL OFL 1.1), with the Noto coverage of every script the UN publishes in: the body
# in a serif for long reading, headings, labels, boxes and tables in the matching sans.
BODY = _face("Noto Serif", "NotoSerif")
SANS = _face("Noto Sans", "NotoSans")
MONO = "DejaVu Sans Mono"  # built into the PDF engine; the site falls back to the reader's monospace

# Colours: the UN blue for rules and bands (too light for text), a deep navy for headings and labels
# (contrast 11:1 on white), near-black text. Every text colour passes WCAG AA on its background.
COLOURS = {
    "text": "#1d1d1b",
    "heading": "#0b3a5d",
    "accent": "#009edb",  # the UN blue: rules, bands, the box's edge
    "link": "#0b5e8f",  # on screen only; in print a reference looks like the text around it
    "muted": "#4d5963",
    "rule": "#b8c6d1",
    "box-fill": "#e9f5fb",
    "box-label": "#0b3a5d",
    "table-head": "#e3edf4",
    "draft": "#b00020",
}

# Sizes in points (the PDF and DOCX), and the measure: about 70 characters a line of body text.
SIZES = {
    "body": 11.0,
    "small": 8.5,
    "note": 8.5,
    "table": 9.0,
    "box": 11.0,
    "h1": 22.0,
    "h2": 14.0,
    "h3": 12.0,
    "h4": 11.0,
    "title": 30.0,
    "subtitle": 15.0,
}
LEADING = 1.45  # line height as a multiple of the size, body text
PAGE = {"paper": "a4", "width-mm": 210, "height-mm": 297, "inner-mm": 40, "outer-mm": 42, "top-mm": 28, "bottom-mm": 26}
MEASURE_CHARACTERS = 72  # the line length the page and size give body text, checked by a test
# Noto Serif's average advance in running English text, in em (measured in Chromium): the site's
# text column is MEASURE_CHARACTERS of it wide.
SITE_EM_PER_CHARACTER = 0.5


def fonts_folder() -> Path:
    return Path(str(resources.files("reportkit") / "fonts"))


def un_date(value: str | date | datetime) -> str:
    """UN style: '10 June 2019' (no leading zero, the month in words), from an ISO date or a date."""
    if isinstance(value, str):
        value = datetime.strptime(value[:10], "%Y-%m-%d").date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def un_date_of_epoch(epoch: int) -> str:
    return un_date(datetime.fromtimestamp(epoch, UTC).date())


def _typst_colour(hex_colour: str) -> str:
    return f'rgb("{hex_colour}")'


def typst_preamble() -> str:
    """The house values as Typst definitions, for the PDF template (`house.typ`)."""
    lines = [
        "// Generated from reportkit/style.py: the house style. Do not edit.",
        f'#let house-body-font = "{BODY.family}"',
        f'#let house-sans-font = "{SANS.family}"',
        f'#let house-mono-font = "{MONO}"',
    ]
    lines += [f"#let house-{name} = {_typst_colour(value)}" for name, value in COLOURS.items()]
    lines += [f"#let house-size-{name} = {value}pt" for name, value in SIZES.items()]
    lines += [
        f"#let house-leading = {LEADING - 1:.2f}em",
        f'#let house-paper = "{PAGE["paper"]}"',
        f"#let house-margin = (inside: {PAGE['inner-mm']}mm, outside: {PAGE['outer-mm']}mm, "
        f"top: {PAGE['top-mm']}mm, bottom: {PAGE['bottom-mm']}mm)",
    ]
    return "\n".join(lines) + "\n"


def _font_face(face: Face, url_prefix: str) -> list[str]:
    rules = []
    for style, name in face.files.items():
        weight = 700 if "bold" in style else 400
        italic = "italic" if "italic" in style else "normal"
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; src: url("{url_prefix}{name}") '
            f'format("truetype"); font-weight: {weight}; font-style: {italic}; font-display: swap; }}'
        )
    return rules


def site_css(url_prefix: str = "fonts/") -> str:
    """The site's house style sheet: self-hosted faces, the theme's variables, the same colours, and
    the site's own furniture (`_site_furniture`)."""
    c = COLOURS
    rules = ["/* Generated from reportkit/style.py: the house style. Do not edit. */"]
    rules += _font_face(BODY, url_prefix) + _font_face(SANS, url_prefix)
    rules += [
        ':root, [data-md-color-scheme="default"] {',  # the theme declares its own on <body>
        f'  --md-text-font: "{SANS.family}"; --md-code-font: "{MONO}";',
        f"  --md-primary-fg-color: {c['heading']}; --md-primary-fg-color--light: {c['link']};",
        f"  --md-primary-fg-color--dark: {c['heading']}; --md-accent-fg-color: {c['accent']};",
        f"  --md-typeset-color: {c['text']}; --md-typeset-a-color: {c['link']};",
        f"  --md-default-fg-color--light: {c['muted']};",
        # The footer, which carries the imprint: white on the house navy (11:1).
        f"  --md-footer-bg-color: {c['heading']}; --md-footer-bg-color--dark: rgb(0 0 0 / 25%);",
        "  --md-footer-fg-color: #ffffff; --md-footer-fg-color--light: rgb(255 255 255 / 85%);",
        "}",
        (f'.md-typeset {{ font-family: "{BODY.family}", Georgia, serif; font-size: 0.9rem; line-height: {LEADING}; }}'),
        # The measure of the page, on screen: the text column only (not the banner or the footer).
        f".md-content__inner.md-typeset {{ max-width: {MEASURE_CHARACTERS * SITE_EM_PER_CHARACTER:g}em; }}",
        (
            f'.md-typeset h1, .md-typeset h2, .md-typeset h3, .md-typeset h4 {{ font-family: "{SANS.family}", '
            f"Arial, sans-serif; color: {c['heading']}; font-weight: 700; text-align: left; }}"
        ),
        # Tables in the sans, a size under the text (the theme sets 0.64rem; 1rem is 20px here).
        f'.md-typeset table:not([class]) {{ font-family: "{SANS.family}", sans-serif; font-size: 0.7rem; }}',
        (
            f".md-typeset table:not([class]) th {{ background: {c['table-head']}; color: {c['heading']}; "
            "text-align: left; }"
        ),
        ".md-typeset table:not([class]) td { text-align: left; vertical-align: top; }",
        (
            f".md-typeset .recommendation {{ background: {c['box-fill']}; border-left: 0.3rem solid {c['accent']}; "
            "padding: 0.6rem 1rem; margin: 1em 0; }"
        ),
        (
            f'.md-typeset .recommendation-label {{ font-family: "{SANS.family}", sans-serif; '
            f"color: {c['box-label']}; font-weight: 700; }}"
        ),
        (
            f'.md-typeset .para-num {{ font-family: "{SANS.family}", sans-serif; font-size: 0.7rem; '
            f"color: {c['muted']}; margin-right: 0.5em; }}"
        ),
    ]
    return "\n".join(rules + _site_furniture()) + "\n"


def _site_furniture() -> list[str]:
    """What only the site has, in the house style: a draft's banner, a draft page's workflow facts,
    the footer and its imprint (white on the house navy, 11:1), and tables that fit a phone."""
    c = COLOURS
    table, cells = ".md-typeset table:not([class])", ".md-typeset table:not([class]) :is(th, td)"
    return [
        f".md-banner {{ background-color: {c['draft']}; color: #ffffff; }}",
        f'.md-banner .report-draft {{ margin: 0; font-family: "{SANS.family}", sans-serif; }}',
        ".md-banner .report-draft > * + * { margin-left: 0.6em; }",
        ".md-banner .report-draft__mark { letter-spacing: 0.12em; }",
        # The recommendation box as the PDF sets it: the set's name small and upper-case, the
        # statement in the sans.
        (
            f'.md-typeset .recommendation-set {{ font-family: "{SANS.family}", sans-serif; font-size: 0.7rem; '
            f"color: {c['muted']}; text-transform: uppercase; letter-spacing: 0.04em; margin: 0 0 0.5em; }}"
        ),
        f'.md-typeset .recommendation-statement {{ font-family: "{SANS.family}", sans-serif; margin: 0; }}',
        (
            f'.md-typeset .report-facts {{ font-family: "{SANS.family}", sans-serif; font-size: 0.7rem; '
            f"color: {c['muted']}; border-left: 3px solid {c['accent']}; padding-left: 0.6rem; }}"
        ),
        (
            f'.md-footer-meta .report-imprint {{ color: #ffffff; font-family: "{SANS.family}", sans-serif; '
            "font-size: 0.65rem; line-height: 1.5; }"
        ),
        ".md-footer-meta .report-imprint p { margin: 0.2em 0; }",
        # On a phone a table takes the column's width: smaller type and padding, no minimum column
        # width (the theme's is 5rem), and a long word or address may break rather than overflow.
        "@media screen and (max-width: 44.9375em) {",
        f"  {table} {{ font-size: 0.7rem; }}",
        f"  {cells} {{ padding: 0.5em 0.4em; min-width: 0; }}",
        f"  {table} td {{ overflow-wrap: break-word; }}",
        "}",
    ]


def apparatus_css() -> str:
    """The site's style for the apparatus (notes, captions, boxes, references, acronyms), and what
    axe-core asks of every page: links in running text told apart by more than colour (underlined),
    the theme's footer text in enough contrast. Served as assets/apparatus.css by the site plugin."""
    c = COLOURS
    sans = f'"{SANS.family}", Arial, sans-serif'
    rules = [
        "/* Generated from reportkit/style.py: the house style of the apparatus. Do not edit. */",
        (
            ".md-typeset p a, .md-typeset li a, .md-typeset td a, .md-typeset figcaption a, .md-typeset .csl-entry a "
            "{ text-decoration: underline; text-decoration-thickness: 0.06em; text-underline-offset: 0.16em; }"
        ),
        ".md-typeset a.footnote-ref, .md-typeset a.footnote-backref { text-decoration: none; }",
        ".md-footer-meta .md-copyright, .md-footer-meta .md-copyright a { color: rgba(255, 255, 255, 0.82); }",
        # A wide table (the progress page's) wraps its cells rather than scroll in a region no
        # keyboard can reach (axe: scrollable-region-focusable).
        ".md-typeset table:not([class]) th { min-width: 0; }",
        # Tighter cells than the theme's, on screens wider than a phone (a phone has its own, in site_css).
        (
            "@media screen and (min-width: 45em) { .md-typeset table:not([class]) th, "
            ".md-typeset table:not([class]) td { padding: 0.6em 0.8em; } }"
        ),
        ".md-typeset figure.rk-figure, .md-typeset figure.rk-table { margin: 1.4em 0; }",
        (
            f".md-typeset figure figcaption {{ font-family: {sans}; font-size: 0.75rem; color: {c['heading']}; "
            "text-align: left; max-width: none; margin: 0 0 0.6em; font-style: normal; }"
        ),
        ".md-typeset figure.rk-figure img { display: block; margin: 0 auto; }",
        (
            f".md-typeset figure.rk-box {{ background: {c['box-fill']}; border-top: 0.15rem solid {c['accent']}; "
            "padding: 0.6rem 1rem; margin: 1.4em 0; display: block; }"
        ),
        (f".md-typeset figure.rk-box figcaption {{ font-size: 0.8rem; font-weight: 700; color: {c['box-label']}; }}"),
        ".md-typeset .rk-box-body > :last-child { margin-bottom: 0; }",
        ".md-typeset abbr[title] { text-decoration: underline dotted; cursor: help; }",
        ".md-typeset .csl-entry { padding-left: 2em; text-indent: -2em; margin: 0.4em 0; }",
        f".md-typeset .footnote {{ font-size: 0.8rem; color: {c['text']}; }}",
    ]
    return "\n".join(rules) + "\n"
