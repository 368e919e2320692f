"""Hostile editions: what `report check` accepts must build, and no build may leak, hang, write outside or lie.

The corpus is hostile_editions_cases.py. For each case: `report check` runs in its own process under
a hang guard. A case it rejects must be located (an error at one of the case's files; inside a
Markdown body, on one of the body's lines) and `report build` must refuse it with exit 1, leaving
the previous build byte for byte. A case it accepts must build, and no secret from outside the
repository may appear in any output: not in the PDF's text, streams or attachments, not in any part
of the DOCX, not in any file of the site. Accepted cases that cannot interfere share one build; when
that build fails or leaks, each is built alone to say which case is at fault.

Everything runs the real `report` in a child process, with the repository's `tools/` on the path,
under `prlimit --data` (a hostile image must not take a shared machine's memory) and with the
environment variable HOSTILE_EDITIONS_SECRET set, so a leak of /proc/self/environ shows its marker.
The timeouts are hang guards, not speed assertions, except the 2 s in which an interrupted build
must end (the brief's requirement).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import io
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest

import hostile_editions_cases as corpus
import readers
from hostile_editions_cases import CASES, ENV_MARKER, FILE_MARKER, FORGED, Case

log = logging.getLogger(__name__)
TOOLS = Path(__file__).resolve().parents[1]
HANG_GUARD = 20.0  # s: a check, or a build of a case about hangs, that runs longer is stuck
BUILD_GUARD = 30.0  # s: any other build of one case (the report builds in seconds)
SHARED_GUARD = 180.0  # s: a build shared by dozens of cases
STOP_WITHIN = 2.0  # s: an interrupted build must have ended by then (the brief's requirement)
MEMORY_LIMIT = 3 * 1024**3  # bytes of heap per process under test (a build needs < 0.5 GB): protects the machine
EDITION = corpus.EDITION_NAME
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"
TITLE = "A minimal report"  # the title in the fixture's report.yml
SAMPLE_TITLE = "The Age of Digital Interdependence"  # the sample report's
PIXEL_ROW = corpus.secret_pixels()[:48]  # the secret image's first row, as a PDF stores it decoded
NEEDLES = {FILE_MARKER.encode(): "file marker", ENV_MARKER.encode(): "environment marker", PIXEL_ROW: "secret pixels"}


# --------------------------------------------------------------------------------------------
# Running the product
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    args: list[str]
    rc: int | None  # None: killed by the hang guard
    stdout: str
    stderr: str
    seconds: float

    def crashed(self) -> str | None:
        """Why this run is a crash rather than an answer, or None."""
        text = self.stdout + self.stderr
        if self.rc is None:
            return "did not finish (killed by the hang guard)"
        if self.rc == 3 or "internal error" in text:
            return f"internal error (exit {self.rc}): {tail(self.stderr)}"
        if "Traceback (most recent call last)" in text:
            return f"a Python traceback (exit {self.rc}): {tail(self.stderr)}"
        if self.rc < 0:
            return f"killed by signal {-self.rc}: {tail(self.stderr)}"
        return None


def tail(text: str, lines: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])[-600:]


def product_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "REPORT_DEBUG")}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(TOOLS), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            corpus.ENV_NAME: ENV_MARKER,
            "CI": "1",
            "NO_MKDOCS_2_WARNING": "1",
        }
    )
    env.update(extra or {})
    return env


def command(*args: str) -> list[str]:
    prlimit = shutil.which("prlimit")
    assert prlimit, "prlimit (util-linux) is needed to cap the memory of the processes under test"
    return [prlimit, f"--data={MEMORY_LIMIT}", sys.executable, "-m", "reportkit.cli", *args]


def report(*args: str, cwd: Path, timeout: float = HANG_GUARD, env: dict[str, str] | None = None) -> Run:
    """`report ARGS` in a new session; on timeout the whole session is killed (pandoc included)."""
    argv = command(*args)
    started = time.monotonic()
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=product_env(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
        rc: int | None = process.returncode
    except subprocess.TimeoutExpired:
        kill_session(process.pid)
        out, err = process.communicate()
        rc = None
    return Run(
        list(args), rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), time.monotonic() - started
    )


def kill_session(pid: int) -> None:
    """Kill a process started with start_new_session and everything still in its session."""
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        os.killpg(pid, signal.SIGKILL)


def build(root: Path, timeout: float = BUILD_GUARD, *extra: str) -> Run:
    # --force: the hostile reports are drafts; the final gate is tested in test_final.py
    return report(
        "build", "--root", str(root), "--final", "--force", "--edition", EDITION, *extra, cwd=root, timeout=timeout
    )


def check(root: Path) -> Run:
    return report("check", "--root", str(root), "--format", "json", cwd=root)


# --------------------------------------------------------------------------------------------
# The world: secrets outside the report, a clean report with a good final build, a web server
# --------------------------------------------------------------------------------------------

SECRET_CHAPTER = (
    f"---\nid: leaked\ntitle: Leaked\nowner: {corpus.OWNER}\nstatus: draft\n---\n\nThe secret is {FILE_MARKER}.\n"
)


def make_template(dest: Path) -> Path:
    """The minimal fixture report with the sample's site configuration: every feature, built in a second."""
    shutil.copytree(FIXTURE, dest)
    for part in ("mkdocs.yml", "web"):
        source = readers.SAMPLE_ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, dest / part)
    readers.commit_all(dest, "The minimal report")
    return dest


def write_secrets(outside: Path, template: Path) -> None:
    (outside / "dir").mkdir(parents=True)
    for folder in (outside, outside / "dir"):
        (folder / "secret.txt").write_text(FILE_MARKER + "\n")
        (folder / "secret.png").write_bytes(corpus.secret_png())
    (outside / "secret.typ").write_text(FILE_MARKER + "\n")
    (outside / "secret.md").write_text(SECRET_CHAPTER)
    (outside / "dir" / "index.md").write_text(f"# Leaked\n\nThe secret is {FILE_MARKER}.\n")
    roster = (template / "roster.yml").read_text("utf-8")
    (outside / "roster.yml").write_text(re.sub(r"name: .*", f"name: {FILE_MARKER}", roster, count=1))
    settings = (template / "report.yml").read_text("utf-8")
    (outside / "report.yml").write_text(re.sub(r"title: .*", f"title: {FILE_MARKER}", settings, count=1))
    (outside / "inherit.yml").write_text(f"copyright: {FILE_MARKER}\n")
    (outside / "theme").mkdir()
    (outside / "theme" / "main.html").write_text(
        f'{{% extends "base.html" %}}\n{{% block footer %}}{FILE_MARKER}{{% endblock %}}\n'
    )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test's output is for findings
        pass


@dataclass
class World:
    base: Path
    outside: Path
    template: Path  # the minimal report, committed, with a good final build in build/
    baseline: Run  # the build that made it
    http: str

    def values(self, root: Path, doc_folder: str = "chapters") -> dict[str, str]:
        return {
            "OUTSIDE": str(self.outside),
            "UP": os.path.relpath(self.outside, root / doc_folder),
            "ROOTUP": os.path.relpath(self.outside, root),
            "HTTP": self.http,
        }

    def copy(self, dest: Path) -> Path:
        """A copy of the template: its git repository and its previous build."""
        shutil.copytree(self.template, dest, symlinks=True)
        return dest


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile-editions")
    outside = base / "outside"
    template = make_template(base / "template" / "report")
    write_secrets(outside, template)
    baseline = build(template)
    assert baseline.rc == 0, f"the clean minimal report does not build: {baseline.stderr}"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(outside)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield World(base, outside, template, baseline, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------------------------
# Planting a case
# --------------------------------------------------------------------------------------------


def plant(case: Case, root: Path, world: World) -> None:
    """Write the case into a copy of the template and commit it; FIFOs come after (git cannot hold them)."""
    values = world.values(root)
    if case.chapter:
        (root / case.chapter).write_text(corpus.fill(case.chapter_text(), values), "utf-8")
    for rel, content in case.files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(corpus.fill(content, values), "utf-8")
        else:
            target.write_bytes(content)
    for rel, pointee in case.symlinks.items():
        link = root / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to(corpus.fill(pointee, values))
    for name, extra in (("report.yml", case.settings), ("roster.yml", case.roster)):
        if extra:
            with (root / name).open("a", encoding="utf-8") as handle:
                handle.write(corpus.fill(extra, values))
    for old, new in case.mkdocs:
        text = (root / "mkdocs.yml").read_text("utf-8")
        assert old in text, f"{case.name}: mkdocs.yml has no {old!r}"
        (root / "mkdocs.yml").write_text(text.replace(old, corpus.fill(new, values), 1), "utf-8")
    if case.notes:
        plant_notes(root, world)
    readers.git(root, "add", "-A")
    readers.git(root, "commit", "-q", "--allow-empty", "-m", f"hostile case {case.name}")
    for rel in case.fifos:
        fifo = root / rel
        fifo.parent.mkdir(parents=True, exist_ok=True)
        if fifo.exists() or fifo.is_symlink():
            fifo.unlink()
        os.mkfifo(fifo)


def plant_notes(root: Path, world: World) -> None:
    notes = root / "notes"
    notes.mkdir(exist_ok=True)
    links = {
        "leak.txt": world.outside / "secret.txt",
        "leak.typ": world.outside / "secret.typ",
        "leak.png": world.outside / "secret.png",
        "environ": Path("/proc/self/environ"),
    }
    for name, target in links.items():
        if not (notes / name).is_symlink():
            (notes / name).symlink_to(target)


# --------------------------------------------------------------------------------------------
# Reading the outputs back: where does a secret appear?
# --------------------------------------------------------------------------------------------

_INVISIBLE = re.compile(r"[\s\u00ad\u200b-\u200d\u2010\u2011\-]+")


def flat(text: str) -> str:
    """Text with spaces, line breaks and (soft) hyphens removed: a marker split by a renderer still matches."""
    return _INVISIBLE.sub("", text)


def in_bytes(data: bytes, where: str) -> list[str]:
    return [f"{where}: {name}" for needle, name in NEEDLES.items() if needle in data]


def in_text(text: str, where: str) -> list[str]:
    squashed = flat(text)
    return [
        f"{where}: {name}"
        for name, marker in (("file marker", FILE_MARKER), ("environment marker", ENV_MARKER))
        if marker in squashed
    ]


# What makes a reader's program fetch a local file: a file: URL in a link or a source, a PDF action
# that opens or jumps into another file, and (in a DOCX) a Word field that pulls a file in when the
# reader's Word updates fields.
LOCAL_URL = re.compile(
    rb"(?:\b(?:src|href|srcset|data|Target|action)\s*=\s*[\"']?\s*file:|/URI\s*\(\s*file:"
    rb"|/S\s*/(?:Launch|GoToR|GoToE)\b)",
    re.IGNORECASE,
)
WORD_FIELD = re.compile(rb"\b(?:INCLUDETEXT|INCLUDEPICTURE|DDEAUTO|DDE|IMPORT|LINK)\b", re.IGNORECASE)


def local_references(data: bytes, where: str, pattern: re.Pattern = LOCAL_URL) -> list[str]:
    return [f"{where}: a reference to a local file ({m.group(0).decode('latin-1')})" for m in pattern.finditer(data)][
        :1
    ]


def field_instructions(xml: bytes) -> bytes:
    """The instructions of every Word field in a part, joined (a field split over runs is whole again)."""
    return b"".join(a + b for a, b in re.findall(rb'w:instr="([^"]*)"|<w:instrText[^>]*>([^<]*)', xml))


def secrets_in(out: Path) -> list[str]:
    """Every place under an output folder where a secret, or a reference to a local file, appears;
    a symlink in the output counts too."""
    found: list[str] = []
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_symlink():
            found.append(f"{rel}: a symlink to {os.readlink(path)}")
            continue
        if not path.is_file():
            continue
        data = path.read_bytes()
        found += in_bytes(data, rel) + local_references(data, rel)
        if path.suffix == ".pdf":
            found += pdf_secrets(path, rel)
        elif path.suffix == ".docx":
            found += docx_secrets(path, rel)
        elif path.suffix == ".gz":
            found += in_bytes(gzip.decompress(data), f"{rel} (unzipped)")
        elif path.suffix in (".html", ".xml", ".json", ".js", ".txt", ".css", ".svg"):
            found += in_text(re.sub(r"<[^>]*>", "", data.decode("utf-8", "replace")), f"{rel} (text)")
    return sorted(set(found))


def pdf_secrets(path: Path, rel: str) -> list[str]:
    from pypdf import PdfReader

    found = []
    data = path.read_bytes()
    for index, stream in enumerate(flate_streams(data)):
        found += in_bytes(stream, f"{rel} raw stream {index}") + local_references(stream, f"{rel} raw stream {index}")
    reader = PdfReader(str(path))
    for index, stream in enumerate(pdf_object_streams(reader)):
        found += in_bytes(stream, f"{rel} object stream {index}")
    for number, text in enumerate(page_texts(path), start=1):
        found += in_text(text, f"{rel} page {number} text")
    found += in_text(" ".join(str(v) for v in (reader.metadata or {}).values()), f"{rel} document information")
    for name, contents in reader.attachments.items():
        found.append(f"{rel}: an attached file {name}")
        for content in contents:
            found += in_bytes(content, f"{rel} attachment {name}")
    return found


_TEXTS: dict[str, list[str]] = {}


def page_texts(path: Path) -> list[str]:
    """Each page's text as pypdf extracts it, once per distinct file (the site offers the same PDF)."""
    from pypdf import PdfReader

    data = path.read_bytes()
    key = hashlib.sha256(data).hexdigest()
    if key not in _TEXTS:
        _TEXTS[key] = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    return _TEXTS[key]


def flate_streams(data: bytes) -> list[bytes]:
    """Every stream of a PDF file that inflates, found in the raw bytes (reachable from the catalogue or not)."""
    found = []
    for m in re.finditer(rb"stream\r?\n", data):
        inflater = zlib.decompressobj()
        try:
            found.append(inflater.decompress(data[m.end() : m.end() + 50_000_000], 200_000_000))
        except zlib.error:
            continue
    return found


def pdf_object_streams(reader) -> list[bytes]:
    """Every stream reachable from the trailer, decoded by pypdf (any filter it knows)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    found, seen, stack = [], set(), [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, StreamObject):
            try:
                found.append(obj.get_data())
            except Exception as exc:  # noqa: BLE001 - a filter pypdf cannot undo: raw bytes are scanned anyway
                log.debug("pypdf could not decode a stream: %s", exc)
        if isinstance(obj, DictionaryObject):
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


def docx_secrets(path: Path, rel: str) -> list[str]:
    import docx as python_docx

    found = []
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            member = package.read(name)
            found += in_bytes(member, f"{rel}:{name}") + local_references(member, f"{rel}:{name}")
            if name.startswith("word/") and name.endswith(".xml"):
                found += local_references(field_instructions(member), f"{rel}:{name} field", WORD_FIELD)
            if name.endswith((".xml", ".rels")):
                found += in_text(re.sub(rb"<[^>]*>", b"", member).decode("utf-8", "replace"), f"{rel}:{name} text")
    document = python_docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    found += in_text("\n".join(texts), f"{rel} paragraphs")
    props = document.core_properties
    found += in_text(
        " ".join(
            str(getattr(props, k) or "") for k in ("title", "subject", "author", "keywords", "comments", "category")
        ),
        f"{rel} core properties",
    )
    return found


# --------------------------------------------------------------------------------------------
# A final edition says what report.yml and the command line say, and nothing the text says
# --------------------------------------------------------------------------------------------


def final_edition_problems(out: Path, title: str = TITLE) -> list[str]:
    problems: list[str] = []
    if (out / "panel-report.pdf").is_file():
        problems += final_pdf_problems(out / "panel-report.pdf", title)
    if (out / "panel-report.docx").is_file():
        problems += final_docx_problems(out / "panel-report.docx", title)
    return problems


def final_pdf_problems(path: Path, title: str) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    texts = page_texts(path)
    problems = [
        f"PDF page {n}: a DRAFT mark in a final edition" for n, text in enumerate(texts, start=1) if "DRAFT" in text
    ]
    first = readers.squash(texts[0] if texts else "")
    if title not in first or EDITION not in first:
        problems.append(f"PDF title page lacks the title or the edition {EDITION!r}: {first[:200]!r}")
    if FORGED in first:
        problems.append(f"PDF title page shows text from a chapter: {first[:200]!r}")
    metadata: dict = dict(reader.metadata or {})
    if metadata.get("/Title") != title:
        problems.append(f"PDF document title is {metadata.get('/Title')!r}")
    if any(FORGED in str(v) for v in metadata.values()):
        problems.append(f"PDF document information comes from a chapter: {dict(metadata)}")
    return problems


def final_docx_problems(path: Path, title: str) -> list[str]:
    import docx as python_docx

    document = python_docx.Document(str(path))
    props = document.core_properties
    problems = []
    if props.title != title:
        problems.append(f"DOCX core title is {props.title!r}")
    fields = {k: getattr(props, k) for k in ("subject", "author", "keywords", "comments", "category")}
    problems += [f"DOCX core property {k} comes from a chapter: {v!r}" for k, v in fields.items() if FORGED in str(v)]
    styled = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    front = {style: text for style, text in styled if style in ("Title", "Subtitle", "Author", "Date", "Abstract")}
    problems += [
        f"DOCX {style} paragraph comes from a chapter: {text!r}" for style, text in front.items() if FORGED in text
    ]
    if EDITION not in front.get("Date", ""):
        problems.append(f"DOCX title page does not name the edition: {front}")
    problems += [
        f"DOCX paragraph with a DRAFT mark in a final edition: {p.text[:80]!r}"
        for p in document.paragraphs
        if "DRAFT" in p.text
    ]
    with zipfile.ZipFile(path) as package:
        body = package.read("word/document.xml")
    if b"<w:bidi" in body or b"<w:rtl" in body:
        problems.append("DOCX text direction was set by a chapter (w:bidi / w:rtl)")
    return problems


# --------------------------------------------------------------------------------------------
# The oracle
# --------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    case: Case
    root: Path
    check: Run | None = None
    build: Run | None = None
    via: str = ""  # how the build verdict was reached
    problems: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.check is not None and self.check.rc == 0


def located(case: Case, run: Run) -> str | None:
    """The first error that sits at one of the case's places, or None."""
    places: dict[str, tuple[int, int | None]] = {p: (0, None) for p in case.where}
    if case.chapter:
        places[case.chapter] = case.body_lines()
    for path, line, text in errors_of(run):
        for place, (low, high) in places.items():
            if (path == place or path.startswith(place + "/")) and line >= low and (high is None or line <= high):
                return text
    return None


def errors_of(run: Run) -> list[tuple[str, int, str]]:
    """(path, line, text) of each error `report check --format json` printed (or a config error's lines)."""
    try:
        payload = json.loads(run.stdout)
        return [
            (d["path"], int(d["line"]), f"{d['path']}:{d['line']}: [{d['code']}] {d['message']}")
            for d in payload.get("diagnostics", [])
            if d.get("severity") == "error"
        ]
    except (ValueError, AttributeError, KeyError, TypeError):
        pass
    found = []
    for line in (run.stdout + run.stderr).splitlines():
        m = re.match(r"(?:report: )?([^\s:]+):(\d+):\d+: error ", line)
        if m:
            found.append((m.group(1), int(m.group(2)), line))
        elif run.rc == 2:  # a whole-file configuration problem: "report: report.yml is not valid"
            found += [(name, 0, line) for name in re.findall(r"\b[\w./-]+\.ya?ml\b", line)]
    return found


def judge_check(verdict: Verdict) -> None:
    case, run = verdict.case, verdict.check
    assert run is not None
    why = run.crashed()
    if why:
        verdict.problems.append(f"report check: {why}")
        return
    allowed = {0, 1, 2} if case.config_exit else {0, 1}
    if run.rc not in allowed:
        verdict.problems.append(f"report check exited {run.rc}: {tail(run.stdout + run.stderr)}")
    elif run.rc != 0 and located(case, run) is None:
        shown = "; ".join(t for _, _, t in errors_of(run)[:3]) or tail(run.stderr)
        verdict.problems.append(
            f"report check rejected the case but at no place of it (expected "
            f"{case.chapter or ''} lines {case.body_lines()} or {case.where}): {shown}"
        )


def judge_refusal(verdict: Verdict, run: Run, before: dict[str, str]) -> None:
    """A rejected case: the build must refuse (exit 1, or 2 for an unusable report.yml), build/ untouched."""
    verdict.build, verdict.via = run, "refusal"
    why = run.crashed()
    if why:
        verdict.problems.append(f"report build: {why}")
    elif run.rc not in ({1, 2} if verdict.case.config_exit else {1}):
        verdict.problems.append(f"report check rejected the case, yet report build exited {run.rc}")
    if readers.tree_state(verdict.root / "build") != before:
        verdict.problems.append("the previous build in build/ changed")


def judge_build(verdict: Verdict, run: Run, out: Path, before: dict[str, str], via: str) -> None:
    """An accepted case: the build must succeed, and its outputs be clean and true to report.yml."""
    verdict.build, verdict.via = run, via
    verdict.problems += build_problems(run, out, before)


def build_problems(run: Run, out: Path, before: dict[str, str]) -> list[str]:
    why = run.crashed()
    if why or run.rc != 0:
        # A renderer's failure must at least say where (file:line); say so when it does not.
        where = "" if re.search(r"[\w./-]+\.(?:md|ya?ml|png|jpe?g|svg):[1-9]", run.stderr) else ", at no file:line"
        problems = [
            (
                f"report check found no error, yet report build failed{where}: {why or f'exit {run.rc}'}: "
                f"{tail(run.stderr)}"
            )
        ]
        if readers.tree_state(out) != before:
            problems.append("the failed build changed the previous build in build/")
        return problems
    leaks = secrets_in(out)
    problems = [f"a secret from outside the repository reached the edition: {', '.join(leaks[:6])}"] if leaks else []
    return problems + final_edition_problems(out)


# --------------------------------------------------------------------------------------------
# Running the corpus: checks one by one, refusals one by one, accepted cases in one shared build
# --------------------------------------------------------------------------------------------


def parallel(function, items, workers: int) -> list:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))


def selected_cases(session) -> list[Case]:
    """The cases the session runs: all of them when the agreement test runs, else those selected."""
    names = set()
    for item in session.items:
        if getattr(item, "originalname", "") == "test_check_and_build_agree" and item.module.__name__ == __name__:
            return list(CASES)
        if getattr(item, "originalname", "") == "test_hostile_case" and item.module.__name__ == __name__:
            names.add(item.callspec.params["case"].name)
    return [c for c in CASES if c.name in names]


def refuse(verdict: Verdict) -> None:
    before = readers.tree_state(verdict.root / "build")
    guard = HANG_GUARD if verdict.case.kind == corpus.HANG else BUILD_GUARD
    judge_refusal(verdict, build(verdict.root, guard), before)


def build_alone(verdict: Verdict) -> None:
    out = verdict.root / "build"
    before = readers.tree_state(out)
    guard = HANG_GUARD if verdict.case.kind == corpus.HANG else BUILD_GUARD
    judge_build(verdict, build(verdict.root, guard), out, before, "its own build")


def build_together(verdicts: list[Verdict], world: World, name: str) -> bool:
    """One build of a report holding all these cases; True when it built clean (then each case passes)."""
    root = world.copy(world.base / "shared" / name / "report")
    for verdict in verdicts:
        plant(verdict.case, root, world)
    before = readers.tree_state(root / "build")
    run = build(root, SHARED_GUARD)
    if build_problems(run, root / "build", before):
        return False
    for verdict in verdicts:
        verdict.build, verdict.via = run, f"a build shared with {len(verdicts) - 1} other cases"
    return True


def build_in_groups(verdicts: list[Verdict], world: World, name: str = "all") -> None:
    """Build the cases together; when that fails or leaks, split them in four and recurse, down to
    each case alone, so every problem is pinned on its case (one build when all is well)."""
    if len(verdicts) <= 2:
        parallel(build_alone, verdicts, 2)
        return
    if build_together(verdicts, world, name):
        return
    size = -(-len(verdicts) // 4)
    parts = [verdicts[i : i + size] for i in range(0, len(verdicts), size)]
    parallel(lambda part: build_in_groups(part[1], world, f"{name}-{part[0]}"), list(enumerate(parts)), 2)


@pytest.fixture(scope="module")
def verdicts(world, request) -> dict[str, Verdict]:
    cases = selected_cases(request.session)
    started = time.monotonic()
    found = {}
    for case in cases:
        root = world.copy(world.base / "cases" / case.name / "report")
        plant(case, root, world)
        found[case.name] = Verdict(case, root)

    def run_check(verdict: Verdict) -> None:
        verdict.check = check(verdict.root)
        judge_check(verdict)

    parallel(run_check, found.values(), 4)
    parallel(refuse, [v for v in found.values() if not v.problems and not v.accepted], 4)
    accepted = [v for v in found.values() if not v.problems and v.accepted]
    parallel(build_alone, [v for v in accepted if not v.case.group], 2)
    build_in_groups([v for v in accepted if v.case.group], world)
    for verdict in found.values():
        log.info("%s", describe(verdict).replace("\n", " /"))
    log.info("%d cases judged in %.1f s", len(found), time.monotonic() - started)
    return found


def describe(verdict: Verdict) -> str:
    check_run = verdict.check
    lines = [f"case {verdict.case.name} ({verdict.case.kind}) in {verdict.root}"]
    if check_run is not None:
        lines.append(f"  report check: exit {check_run.rc} in {check_run.seconds:.1f} s")
        lines += [f"    {t}" for _, _, t in errors_of(check_run)[:4]]
    if verdict.build is not None:
        lines.append(f"  report build ({verdict.via}): exit {verdict.build.rc} in {verdict.build.seconds:.1f} s")
    lines += [f"  PROBLEM: {p}" for p in verdict.problems]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The tests: the corpus, case by case, and across it
# --------------------------------------------------------------------------------------------


def test_corpus_is_well_formed():
    assert corpus.check_corpus() == []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: Case, verdicts):
    verdict = verdicts[case.name]
    assert not verdict.problems, describe(verdict)


def test_check_and_build_agree(verdicts):
    """Wherever `report check` finds no error, `report build` succeeds: one verdict for both."""
    disagree = [
        describe(v)
        for v in verdicts.values()
        if v.accepted and v.build is not None and (v.build.rc != 0 or v.build.crashed())
    ]
    assert not disagree, f"{len(disagree)} cases pass the check and fail the build:\n" + "\n".join(disagree)


# --------------------------------------------------------------------------------------------
# Controls: the harness sees a leak when there is one, and the clean reports pass it
# --------------------------------------------------------------------------------------------


def test_control_the_clean_reports_check_and_build_clean(world):
    """The template every case starts from, and the real sample report, pass the whole oracle."""
    sample = readers.copy_sample(world.base / "sample" / "report")
    readers.commit_all(sample)
    for root, title in ((world.template, TITLE), (sample, SAMPLE_TITLE)):
        checked = check(root)
        assert checked.rc == 0, checked.stdout + checked.stderr
        built = world.baseline if root == world.template else build(root)
        assert built.rc == 0, built.stderr
        assert secrets_in(root / "build") == []
        assert final_edition_problems(root / "build", title) == []


def test_control_a_secret_inside_the_repository_is_seen_everywhere(world):
    """The same secret, placed inside the repository as a legitimate image and text, is found by
    every reader: so a clean result elsewhere means no leak, not a blind reader."""
    root = world.copy(world.base / "control" / "report")
    (root / "images" / "inside-secret.png").write_bytes(corpus.secret_png())
    (root / "web" / "inside-secret.txt").write_text(FILE_MARKER + "\n")
    control = Case(
        "control",
        corpus.LEAK,
        body=f"The marker {FILE_MARKER} in the text.\n\n![A legitimate picture](../images/inside-secret.png)\n",
    )
    plant(control, root, world)
    assert check(root).rc == 0
    run = report("build", "--root", str(root), cwd=root, timeout=BUILD_GUARD)  # a draft
    assert run.rc == 0, run.stderr
    found = secrets_in(root / "build")
    expected = [
        "panel-report.pdf object stream",
        "panel-report.pdf raw stream",
        "panel-report.pdf page",
        "panel-report.docx:word/media/",
        "panel-report.docx:word/document.xml text",
        "panel-report.docx paragraphs",
        "site/images/inside-secret.png",
        "site/inside-secret.txt",
        "site/chapters/90-control/index.html",
    ]
    missing = [e for e in expected if not any(f.startswith(e) for f in found)]
    assert not missing, f"readers blind to {missing}; they found {found}"
    assert any("secret pixels" in f for f in found if f.startswith("panel-report.pdf"))
    assert [
        n for n, text in enumerate(readers.Pdf(root / "build" / "panel-report.pdf").page_texts) if "DRAFT" not in text
    ] == [], "the DRAFT detector does not see the draft mark"


def test_control_the_readers_see_each_kind_of_local_reference():
    """What no legitimate report can contain, each detector sees (and the clean sample has none)."""
    samples = {
        "an HTML image": b'<img alt="x" src="file:///etc/hostname">',
        "a DOCX relationship": b'<Relationship Id="rId9" Target="file:///etc/hostname" TargetMode="External"/>',
        "a PDF link": b"<< /S /URI /URI (file:///etc/hostname) >>",
        "a PDF launch action": b"<< /S /Launch /F (calc) >>",
        "a PDF jump into another file": b"<< /S /GoToR /F (other.pdf) >>",
    }
    assert [k for k, data in samples.items() if not local_references(data, k)] == []
    fields = b'<w:fldSimple w:instr=" INCLUDE"/><w:r><w:instrText>TEXT "/etc/hostname"</w:instrText></w:r>'
    assert local_references(field_instructions(fields), "a split field", WORD_FIELD)
    toc = b'<w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText>'
    assert not local_references(field_instructions(toc), "the contents field", WORD_FIELD)


# --------------------------------------------------------------------------------------------
# 2. Writes outside the repository: refused, and the outside file or folder unchanged
# --------------------------------------------------------------------------------------------


def snapshot(path: Path) -> dict[str, tuple]:
    """Each entry at and under path, links not followed: its kind, content hash and modification time."""
    if not (path.exists() or path.is_symlink()):
        return {".": ("absent",)}
    items = [path] + (sorted(path.rglob("*")) if path.is_dir() and not path.is_symlink() else [])
    state: dict[str, tuple] = {}
    for item in items:
        st = item.lstat()
        rel = "." if item == path else item.relative_to(path).as_posix()
        if item.is_symlink():
            state[rel] = ("link", os.readlink(item), st.st_mtime_ns)
        elif item.is_dir():
            state[rel] = ("dir", st.st_mtime_ns)
        else:
            state[rel] = ("file", hashlib.sha256(item.read_bytes()).hexdigest(), st.st_mtime_ns)
    return state


def commit(root: Path, message: str) -> None:
    readers.git(root, "add", "-A")
    readers.git(root, "commit", "-q", "--allow-empty", "-m", message)


def codeowners_layout(layout: str, root: Path, outside: Path) -> Path:
    """Plant one way for `report owners --codeowners` to write outside; return what must not change."""
    outside.mkdir()
    stale = "* @someone-outside\n"
    if layout == "file-link":
        (outside / "CODEOWNERS").write_text(stale)
        (root / ".github").mkdir()
        (root / ".github" / "CODEOWNERS").symlink_to(outside / "CODEOWNERS")
    elif layout == "folder-link":
        (outside / "CODEOWNERS").write_text(stale)
        (root / ".github").symlink_to(outside)
    else:  # the temporary file's likely name, pre-created as a link; CODEOWNERS itself is a stale file
        (outside / "target").write_text("not yours\n")
        (root / ".github").mkdir()
        (root / ".github" / "CODEOWNERS").write_text(stale)
        (root / ".github" / "CODEOWNERS.tmp").symlink_to(outside / "target")
    commit(root, f"CODEOWNERS as {layout}")
    return outside


@pytest.mark.parametrize("layout", ["file-link", "folder-link", "temporary-name-link"])
def test_codeowners_is_never_written_outside(world, tmp_path, layout):
    root = world.copy(tmp_path / "report")
    outside = codeowners_layout(layout, root, tmp_path / "outside")
    before = snapshot(outside)
    run = report("owners", "--codeowners", "--root", str(root), cwd=root)
    assert run.crashed() is None, run.crashed()
    assert snapshot(outside) == before, f"`report owners --codeowners` wrote outside the repository ({layout})"
    if layout == "temporary-name-link":  # CODEOWNERS itself is an ordinary file: writing it is fine
        assert run.rc in (0, 1, 2), run.stderr
        if run.rc == 0:
            assert not (root / ".github" / "CODEOWNERS").is_symlink()
            assert check(root).rc == 0, "CODEOWNERS was written but does not match the front matter"
        return
    assert run.rc in (1, 2), f"a CODEOWNERS reached through a link out of the repository was not refused: {run.stdout}"
    assert "CODEOWNERS" in run.stderr or ".github" in run.stderr, run.stderr
    assert (root / ".github").is_symlink() or (root / ".github" / "CODEOWNERS").is_symlink(), "the link was replaced"


@pytest.mark.parametrize("target", ["existing", "dangling"])
def test_a_lock_file_linked_outside_is_refused(world, tmp_path, target):
    root = world.copy(tmp_path / "report")
    outside = tmp_path / "outside-lock"
    if target == "existing":
        outside.write_text("someone's file\n")
    (root / ".build.lock").unlink(missing_ok=True)  # the previous build's own lock file
    (root / ".build.lock").symlink_to(outside)
    before, previous = snapshot(outside), readers.tree_state(root / "build")
    run = build(root, HANG_GUARD)
    assert run.crashed() is None, run.crashed()
    assert snapshot(outside) == before, "the build wrote through its lock file's link"
    assert run.rc in (1, 2), f"a lock file linked out of the repository was not refused (exit {run.rc})"
    assert ".build.lock" in run.stderr, run.stderr
    assert readers.tree_state(root / "build") == previous


@pytest.mark.parametrize("content", ["empty", "a previous build", "someone's files"])
def test_a_build_folder_linked_outside_is_refused(world, tmp_path, content):
    root = world.copy(tmp_path / "report")
    outside = tmp_path / "outside-build"
    if content == "a previous build":
        shutil.copytree(root / "build", outside)
    else:
        outside.mkdir()
        if content == "someone's files":
            (outside / "thesis.txt").write_text("years of work\n")
    shutil.rmtree(root / "build")
    (root / "build").symlink_to(outside)
    before = snapshot(outside)
    run = build(root, HANG_GUARD)
    assert run.crashed() is None, run.crashed()
    assert snapshot(outside) == before, "the build replaced or changed a folder outside the repository"
    assert run.rc in (1, 2), f"build/ linked out of the repository was not refused (exit {run.rc})"
    assert "build" in run.stderr, run.stderr
    assert (root / "build").is_symlink()


WRAPPER = """
import os, sys
root, outside, *argv = sys.argv[1:]
pid = os.getpid()  # exec keeps it: these are the names the build will use
for name in (f".build.staging-{pid}", f".build.old-{pid}", ".build.staging-1"):
    os.symlink(outside, os.path.join(root, name))
os.execv(argv[0], argv)
"""


def test_staging_names_pre_created_as_links_are_not_followed(world, tmp_path):
    """The staging and swap folders' names, pre-created (with the build's own process id) as links out."""
    root = world.copy(tmp_path / "report")
    outside = tmp_path / "outside-staging"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep me\n")
    before, previous = snapshot(outside), readers.tree_state(root / "build")
    argv = [
        sys.executable,
        "-c",
        WRAPPER,
        str(root),
        str(outside),
        *command("build", "--root", str(root), "--final", "--force", "--edition", EDITION),
    ]
    done = subprocess.run(
        argv, cwd=root, env=product_env(), capture_output=True, text=True, timeout=BUILD_GUARD, check=False
    )
    run = Run(argv, done.returncode, done.stdout, done.stderr, 0.0)
    assert run.crashed() is None, run.crashed()
    assert snapshot(outside) == before, "the build wrote through a pre-created staging link"
    assert run.rc in (0, 1, 2), run.stderr
    if run.rc == 0:
        assert (root / "build").is_dir() and not (root / "build").is_symlink()
        assert (root / "build" / "manifest.json").is_file()
    else:
        assert readers.tree_state(root / "build") == previous


# --------------------------------------------------------------------------------------------
# 3. Interrupted inside a renderer: ended within 2 s, no renderer left running, build/ intact
# --------------------------------------------------------------------------------------------


def proc_table() -> dict[int, tuple[int, int, str, int]]:
    """pid -> (parent, session, state, start time) of every process, from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        table[int(entry)] = (int(fields[1]), int(fields[3]), fields[0], int(fields[19]))
    return table


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def family(root_pid: int, known: dict[int, tuple[int, str]]) -> dict[int, tuple[int, str]]:
    """The live descendants of root_pid (by parent, or by its session), added to known: pid -> (start, command)."""
    table = proc_table()
    alive = {}
    for pid, (parent, session, state, start) in table.items():
        if pid == root_pid or state in ("Z", "X"):
            continue
        ancestor, hops = parent, 0
        while ancestor not in (root_pid, 0, 1) and ancestor in table and hops < 50:
            ancestor, hops = table[ancestor][0], hops + 1
        if ancestor == root_pid or session == root_pid:
            # Read again each time: a child seen between its fork and its exec shows its parent's command.
            alive[pid] = (start, cmdline(pid) or known.get(pid, (start, ""))[1])
    known.update(alive)
    return alive


def survivors(known: dict[int, tuple[int, str]]) -> dict[int, str]:
    """Those of the known processes still alive (same process id and start time), with their command now."""
    table = proc_table()
    return {
        pid: cmdline(pid) or cmd
        for pid, (start, cmd) in known.items()
        if pid in table and table[pid][3] == start and table[pid][2] not in ("Z", "X")
    }


def staged_docx(root: Path) -> bool:
    found = [*root.glob(".*/panel-report.docx"), *root.glob("*/panel-report.docx")]
    return any(p.parent.name != "build" for p in found)


@dataclass
class Strike:
    rc: int | None
    stderr: str
    stopped_after: float | None  # s from the signal to the build's end; None: still running after STOP_WITHIN
    left_running: dict[int, str]
    seen: dict[int, tuple[int, str]]


def wait_for_moment(process: subprocess.Popen, root: Path, moment: str, seen: dict) -> bool:
    """Poll until the build is inside the renderer named by moment; False when it ended first.

    "pandoc": a pandoc child has been running for 0.2 s. "typst": a renderer child (forked by the
    build's fork server, so its parent runs the fork server too) has been running for 0.2 s before
    any DOCX is staged (the PDF is built first, and Typst compiles in that child).
    """
    first_seen: dict[int, float] = {}
    deadline = time.monotonic() + BUILD_GUARD
    while process.poll() is None and time.monotonic() < deadline:
        now = time.monotonic()
        live = family(process.pid, seen)
        if moment == "pandoc":
            # The program, not its arguments: the fork server's command line names reportkit.render.pandoc.
            found = [pid for pid, (_, cmd) in live.items() if Path(cmd.split(" ")[0]).name == "pandoc"]
        else:
            table = proc_table()
            found = [
                pid
                for pid, (_, cmd) in live.items()
                if "forkserver" in cmd and pid in table and "forkserver" in live.get(table[pid][0], (0, ""))[1]
            ]
            if staged_docx(root):
                return False
        for pid in found:
            first_seen.setdefault(pid, now)
        if any(now - first_seen[pid] > 0.2 for pid in found):
            return True
        time.sleep(0.01)
    return False


def strike(root: Path, sig: signal.Signals, moment: str) -> Strike:
    # --force: the generated report's sections are not all agreed, and the final gate would refuse the
    # build before any renderer ran (this is about interruptions, not the gate: test_final.py).
    process = subprocess.Popen(
        command("build", "--root", str(root), "--final", "--force", "--edition", EDITION),
        cwd=root,
        env=product_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    seen: dict[int, tuple[int, str]] = {}
    try:
        reached = wait_for_moment(process, root, moment, seen)
        assert reached, f"the build ended (exit {process.poll()}) before it was inside {moment}: make the report larger"
        family(process.pid, seen)
        signalled = time.monotonic()
        process.send_signal(sig)
        try:
            process.wait(timeout=STOP_WITHIN)
            stopped: float | None = time.monotonic() - signalled
        except subprocess.TimeoutExpired:
            stopped = None
            # Let it end on its own a while, to see what it leaves; the finally clause kills it.
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=3)
        time.sleep(0.5)  # grace for a renderer that was sent a signal as the build ended
        family(process.pid, seen)
        left = survivors(seen)
        kill_session(process.pid)
        _, err = process.communicate()
        return Strike(process.returncode, err.decode("utf-8", "replace"), stopped, left, seen)
    finally:
        if process.poll() is None:
            kill_session(process.pid)
            process.communicate()
        for pid in survivors(seen):  # what the build left behind, so no test leaks processes
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def large_report(world) -> Path:
    """A generated report big enough that pandoc and Typst each run for seconds, with a previous build."""
    root = world.base / "large" / "report"
    root.parent.mkdir(parents=True)
    run = report("generate", str(root), "--chapters", "120", "--sections", "10", cwd=root.parent, timeout=BUILD_GUARD)
    assert run.rc == 0, run.stderr
    shutil.copytree(world.template / "build", root / "build")
    return root


@pytest.mark.parametrize("moment", ["pandoc", "typst"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupted_inside_a_renderer(large_report, tmp_path, sig, moment):
    root = tmp_path / "report"
    shutil.copytree(large_report, root, symlinks=True)
    before = readers.tree_state(root / "build")
    result = strike(root, sig, moment)
    processes = {pid: cmd for pid, (_, cmd) in result.seen.items()}
    assert result.stopped_after is not None, f"the build ran on for more than {STOP_WITHIN} s after {sig.name}"
    assert not result.left_running, f"renderers still running after the build ended: {result.left_running}"
    assert result.rc != 0, f"the build finished as if not interrupted; its children were {processes}"
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert readers.tree_state(root / "build") == before, "the interrupted build changed the previous build"


# --------------------------------------------------------------------------------------------
# 5. Wrong results from the environment and the command line
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", corpus.BAD_EPOCHS)
def test_an_invalid_source_date_epoch_is_a_clear_error(world, tmp_path, value):
    root = world.copy(tmp_path / "report")
    previous = readers.tree_state(root / "build")
    run = report("build", "--root", str(root), "--formats", "docx", cwd=root, env={"SOURCE_DATE_EPOCH": value})
    assert run.crashed() is None, run.crashed()
    assert run.rc in (1, 2), f"SOURCE_DATE_EPOCH={value!r} was accepted (exit {run.rc})"
    assert "SOURCE_DATE_EPOCH" in run.stderr, run.stderr
    assert readers.tree_state(root / "build") == previous


def test_a_build_into_build_site_does_not_poison_the_next_build(world, tmp_path):
    root = world.copy(tmp_path / "report")
    previous = readers.tree_state(root / "build")
    first = report("build", "--root", str(root), "--out", str(root / "build" / "site"), cwd=root, timeout=BUILD_GUARD)
    assert first.crashed() is None, first.crashed()
    if first.rc != 0:
        assert first.rc in (1, 2) and first.stderr.strip(), first.stderr
        assert readers.tree_state(root / "build") == previous
    second = build(root)
    assert second.crashed() is None, second.crashed()
    assert second.rc == 0, f"after `--out build/site` (exit {first.rc}), a default build fails: {second.stderr}"
    manifest = json.loads((root / "build" / "manifest.json").read_text("utf-8"))
    assert {o["path"] for o in manifest["outputs"]} == {"site", "panel-report.pdf", "panel-report.docx"}
    assert final_edition_problems(root / "build") == []
