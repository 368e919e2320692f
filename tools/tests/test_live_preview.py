"""`mkdocs serve`, as a Panel member runs it: references resolved, and resolved again on each save."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

import readers

MKDOCS = str(Path(sys.executable).parent / "mkdocs")
PAGE = "/chapters/03-individuals-societies/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, pattern: str, seconds: float = 90) -> str:
    """The page once it shows pattern; a guard against waiting forever, not a speed check."""
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
            if re.search(pattern, last):
                return last
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed {pattern!r}")


@pytest.fixture
def server(tmp_path):
    root = readers.copy_sample(tmp_path / "report")
    readers.commit_all(root)
    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(
        [MKDOCS, "serve", "-a", f"127.0.0.1:{port}"],
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        # `mkdocs serve` serves the site under site_url's path, as it is published.
        mount = urlsplit(yaml.safe_load((root / "mkdocs.yml").read_text("utf-8")).get("site_url") or "/").path
        yield root, f"http://127.0.0.1:{port}{mount.rstrip('/')}", log
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def link(html: str, text: str) -> str:
    """The href of the content link whose text is `text`."""
    m = re.search(r'<a href="([^"]+)">' + re.escape(text) + "</a>", html)
    assert m, f"no link {text!r}"
    return m.group(1)


def test_serve_shows_references_resolved_and_follows_edits(server):
    root, base, log = server
    html = wait_for(base + PAGE, r"Recommendation 3A")
    assert link(html, "Recommendation 3A") == "../../recommendations/human-rights-review/"
    assert "[[rec:" not in html
    # The live preview is a working draft, dated as `report build` dates it (the last commit).
    banner = re.search(r'<p class="report-draft".*?</p>', html, re.DOTALL)
    assert (
        banner
        and " ".join(re.sub(r"<[^>]+>", " ", banner.group(0)).split())
        == "DRAFT Working draft 10 June 2019 not for citation or circulation"
    )

    # Reordering set 3 relabels its recommendations everywhere, at the next save.
    rec = root / "recommendations" / "human-rights-review.md"
    rec.write_text(rec.read_text().replace("order: 1", "order: 9"))
    html = wait_for(base + PAGE, r'<a href="\.\./\.\./recommendations/human-rights-review/">Recommendation 3C</a>')
    assert link(html, "Recommendation 3A") == "../../recommendations/autonomous-systems/"

    # A mistake shows in the terminal the member is watching, located like `report check`.
    chapter = root / "chapters" / "03-individuals-societies.md"
    chapter.write_text(chapter.read_text() + "\nSee [[rec:human-rights-reveiw]].\n")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        log.seek(0)
        if "error [ref.unknown] no recommendation with id 'human-rights-reveiw'" in log.read():
            break
        time.sleep(0.3)
    log.seek(0)
    assert re.search(
        r"chapters/03-individuals-societies\.md:\d+:5: error \[ref\.unknown\] no recommendation "
        r"with id 'human-rights-reveiw'; did you mean 'human-rights-review'\?",
        log.read(),
    )
