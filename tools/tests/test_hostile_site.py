"""Nothing in the report reaches a reader of the site as code: the contract, case by case.

For every case of `hostile_site_cases`, EITHER `report check` refuses it (exit 1, an error located
in the lines or file the case wrote; never exit 3, never a traceback), OR `report build --formats
html` succeeds and the built site is harmless: Chromium runs every page with no dialog, no marker
write, no request or navigation off 127.0.0.1, no CSP violation, and a static HTML5 reading of
every file finds no handler attribute, no code URL, no foreign script, frame, base or refresh, no
file copied from web/ that a browser would run, and no byte of a file outside the repository.

The check runs once per case (in-process); the accepted cases are then built together, a few
reports in all (cases that write the same field go to different builds), each visited once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import browser
import hostile_site_cases as hs
import readers
from browser import Violation

DIAGNOSTIC = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): error \[(?P<code>[^\]]+)\] ", re.MULTILINE)
TOKEN = re.compile(r"pwn\d{3}")
NEAR = re.compile(r" near #(case-\d{3})$")  # the section of a body case (see browser.describe)
HOSTILE_EMAIL = "contributor@example.org"


# --------------------------------------------------------------------------------------------
# The check, once per case
# --------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    case: hs.Case
    written: hs.Written
    exit_code: int
    stdout: str
    stderr: str
    broken: str | None  # how the run broke the contract whatever the verdict (exit 3, a traceback)

    @property
    def refused(self) -> bool:
        return self.exit_code == 1

    def located(self) -> bool:
        """An error names the file the case wrote, on a line it wrote (line 0 for a whole file)."""
        w = self.written
        for m in DIAGNOSTIC.finditer(self.stdout):
            path, line = m["path"], int(m["line"])
            if path != w.file and not path.startswith(w.file + "/"):
                continue
            if w.whole_file or w.first <= line <= w.last:
                return True
        return False


def commit_as(root: Path, author: str, message: str) -> None:
    """Commit everything as `author` (the name git will print as "last updated by")."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": HOSTILE_EMAIL,
        "GIT_COMMITTER_NAME": readers.AUTHOR_NAME,
        "GIT_COMMITTER_EMAIL": readers.AUTHOR_EMAIL,
        "GIT_AUTHOR_DATE": readers.COMMIT_DATE,
        "GIT_COMMITTER_DATE": readers.COMMIT_DATE,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    for args in (["add", "-A"], ["-c", "commit.gpgsign=false", "commit", "-q", "-m", message]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def broken_run(result) -> str | None:
    """Exit 3, a traceback or an exception that escaped the CLI: never acceptable."""
    output = (result.stdout or "") + (result.stderr or "")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"an exception escaped: {type(result.exception).__name__}: {result.exception}"
    if result.exit_code == 3 or "Traceback" in output or "internal error" in output:
        return f"exit {result.exit_code}: {output[-1500:]}"
    if result.exit_code not in (0, 1):
        return f"exit {result.exit_code} (0 or 1 expected): {output[-1500:]}"
    return None


def check_case(template: Path, work: Path, case: hs.Case, target: hs.Target, payload: str | None = None) -> Verdict:
    """A copy of the sample with this one case written into it, and `report check` on it."""
    root = work / case.token
    shutil.copytree(template, root, symlinks=True)
    if case.where == hs.GIT_AUTHOR:
        readers.commit_all(root)
    written = hs.apply(root, case, target, payload)
    if written.author is not None:
        commit_as(root, written.author, "An edit")
    result = readers.run_report("check", "--root", str(root))
    return Verdict(case, written, result.exit_code, result.stdout, result.stderr, broken_run(result))


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return readers.copy_sample(tmp_path_factory.mktemp("template") / "report")


@pytest.fixture(scope="module")
def targets(template) -> dict[str, hs.Target]:
    return hs.plan(template)


@pytest.fixture(scope="module")
def verdicts(template, targets, tmp_path_factory) -> dict[str, Verdict]:
    work = tmp_path_factory.mktemp("checks")
    return {case.name: check_case(template, work, case, targets[case.name]) for case in hs.CASES}


# --------------------------------------------------------------------------------------------
# The accepted cases, built together and read by the browser and the static scan
# --------------------------------------------------------------------------------------------


@dataclass
class SiteRun:
    name: str
    cases: list[hs.Case]
    error: str | None = None  # the build failed (the check had accepted every case in it)
    applied: hs.Applied = field(default_factory=hs.Applied)
    violations: list[Violation] = field(default_factory=list)
    console: list = field(default_factory=list)
    failed_alone: dict[str, str] = field(default_factory=dict)  # case -> why its build failed


def groups(cases: list[hs.Case], targets: dict[str, hs.Target]) -> list[list[hs.Case]]:
    """Build k holds the k-th case of every slot, and build 0 also every case without a slot (a case
    that would mask others goes no earlier than its `first_build`)."""
    seen: dict[str, int] = {}
    builds: list[list[hs.Case]] = [[]]
    for case in cases:
        target = targets[case.name]
        k = seen.get(target.slot, target.first_build) if target.slot else target.first_build
        if target.slot:
            seen[target.slot] = k + 1
        while len(builds) <= k:
            builds.append([])
        builds[k].append(case)
    return builds


def make_report(root: Path, cases: list[hs.Case], targets: dict[str, hs.Target]) -> hs.Applied:
    """The sample with these cases, in a git repository whose last commits carry hostile authors."""
    readers.copy_sample(root)
    readers.commit_all(root)
    plain = [c for c in cases if c.where != hs.GIT_AUTHOR]
    applied = hs.apply_all(root, plain, targets)
    if readers.git(root, "status", "--porcelain"):
        readers.commit_all(root, "Hostile cases")
    for case in (c for c in cases if c.where == hs.GIT_AUTHOR):
        written = hs.apply(root, case, targets[case.name])
        applied.written[case.name] = written
        commit_as(root, written.author or "", f"Edit {case.token}")
    return applied


def build(root: Path) -> str | None:
    """`report build --formats html`; None when it succeeded, else what it printed."""
    result = readers.run_report("build", "--formats", "html", "--root", str(root))
    if result.exit_code == 0 and result.exception is None:
        return None
    return broken_run(result) or f"exit {result.exit_code}: {(result.stdout + result.stderr)[-1500:]}"


def fails_alone(work: Path, cases: list[hs.Case], targets: dict[str, hs.Target]) -> str | None:
    """Build a report holding only these cases; what the build printed when it failed."""
    root = work / f"probe-{cases[0].token}-{len(cases)}"
    make_report(root, cases, targets)
    error = build(root)
    shutil.rmtree(root)
    return error


def culprits(work: Path, cases: list[hs.Case], targets: dict[str, hs.Target], known: str | None) -> dict[str, str]:
    """The cases whose build fails on its own, found by halving a failing group. `known` is the
    group's build message when it was built; when the first half builds, the second half is taken
    to fail and only its parts are built (a single case is always built before it is blamed)."""
    if len(cases) == 1:
        error = known if known is not None else fails_alone(work, cases, targets)
        return {cases[0].name: error} if error else {}
    first, second = cases[: len(cases) // 2], cases[len(cases) // 2 :]
    first_error = fails_alone(work, first, targets)
    if not first_error:
        return culprits(work, second, targets, None)
    found = culprits(work, first, targets, first_error)
    second_error = fails_alone(work, second, targets)
    if second_error:
        found |= culprits(work, second, targets, second_error)
    return found


def run_site(work: Path, name: str, cases: list[hs.Case], targets: dict[str, hs.Target]) -> SiteRun:
    run = SiteRun(name, cases)
    root = work / name
    run.applied = make_report(root, cases, targets)
    run.error = build(root)
    if run.error:  # find who breaks the build, then build and read the others
        (work / f"{name}-bisect").mkdir()
        run.failed_alone = culprits(work / f"{name}-bisect", cases, targets, run.error)
        if not run.failed_alone:
            return run
        run.cases = [c for c in cases if c.name not in run.failed_alone]
        shutil.rmtree(root)
        run.applied = make_report(root, run.cases, targets)
        run.error = build(root)
        if run.error:
            return run
    site = root / "build" / "site"
    visit = browser.visit_site(site, search=("pwn",))
    run.console = visit.console
    run.violations = visit.violations + browser.scan_site(site, run.applied.secrets, run.applied.forbidden)
    return run


@pytest.fixture(scope="module")
def sites(verdicts, targets, tmp_path_factory) -> list[SiteRun]:
    work = tmp_path_factory.mktemp("sites")
    accepted = [c for c in hs.CASES if verdicts[c.name].exit_code == 0 and verdicts[c.name].broken is None]
    return [run_site(work, f"site-{k}", group, targets) for k, group in enumerate(groups(accepted, targets)) if group]


def attributed(violation: Violation, case: hs.Case, applied: hs.Applied) -> bool:
    """The finding names the case's token (or, naming none, sits in the case's section), or is about
    a file the case put in web/."""
    what, _, where = violation.detail.partition(" near #")  # a heading's id may hold another case's token
    tokens = TOKEN.findall(what)
    if case.token in tokens:
        return True
    near = NEAR.search(" near #" + where) if where else None
    if not tokens and near and near.group(1) == case.anchor:
        return True
    written = applied.written.get(case.name)
    return written is not None and any(
        violation.page == f or violation.page.startswith(f + "/") for f in written.site_files
    )


# --------------------------------------------------------------------------------------------
# The contract, case by case
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [case.name for case in hs.CASES])
def test_hostile_case_is_refused_with_its_place_or_harmless_on_the_site(name, verdicts, sites):
    verdict = verdicts[name]
    case = verdict.case
    assert verdict.broken is None, f"`report check` broke on {case.where} {case.text()!r}: {verdict.broken}"
    if verdict.refused:
        assert verdict.located(), (
            f"`report check` refused {case.text()!r} ({case.where}) but named no error at "
            f"{verdict.written.file}, lines {verdict.written.first}-{verdict.written.last}:\n{verdict.stdout}"
        )
        return
    run = next(r for r in sites if case in r.cases or name in r.failed_alone)
    assert name not in run.failed_alone, f"`report check` passed, `report build` failed: {run.failed_alone[name]}"
    assert run.error is None, f"`report check` passed, `report build` failed: {run.error}"
    found = [v for v in run.violations if attributed(v, case, run.applied)]
    assert found == [], f"{case.where} {case.text()!r} reached readers of {run.name} as code"


def test_every_hostile_site_is_clean_as_a_whole(sites):
    """What the per-case test cannot pin on a case (a finding with no token) still counts."""
    for run in sites:
        assert run.error is None, run.error
        assert run.violations == [], f"{run.name}: {len(run.violations)} findings"


def test_the_placements_alone_pass_the_check_and_build(template, targets, tmp_path):
    """With plain words in place of every payload, the same places give no error and a build:
    so a refusal in the contract test is the payload's doing, not the harness's."""
    plain = [c for c in hs.CASES if c.where not in hs.FILE_KINDS]
    first_of_slot = groups(plain, targets)[0]
    root = readers.copy_sample(tmp_path / "report")
    readers.commit_all(root)
    for case in first_of_slot:
        words = "body { color: black; }" if case.where == hs.WEB_CSS else f"Plain words {case.token[3:]}"
        written = hs.apply(root, case, targets[case.name], words)
        if written.author is not None:
            commit_as(root, written.author, "An edit")
    result = readers.run_report("check", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert build(root) is None


# --------------------------------------------------------------------------------------------
# The harness itself: it passes a clean site, and it cannot pass a site with code in it
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_site(tmp_path_factory) -> Path:
    root = readers.copy_sample(tmp_path_factory.mktemp("clean") / "report")
    readers.commit_all(root)
    assert build(root) is None
    return root / "build" / "site"


def test_missing_chromium_fails_with_the_package_to_install(monkeypatch):
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    monkeypatch.setattr(browser, "CHROMIUM_CANDIDATES", ("/nonexistent/chromium",))
    with pytest.raises(browser.ChromiumMissing, match=r"apt-get install chromium"):
        browser.find_chromium()


def test_the_clean_sample_site_passes_the_harness(clean_site):
    visit = browser.visit_site(clean_site, search=("digital",))
    assert visit.pages == browser.site_documents(clean_site)
    assert len(visit.pages) >= 25  # every chapter, recommendation, annex and generated page
    assert visit.violations == []
    assert browser.scan_site(clean_site) == []
    errors = [c for c in visit.console if c[1] == "error"]
    assert errors == []


# Each planted snippet and what must be seen of it: (page, into <head>, into the article, what the
# browser must report, what the static reading must report).
PLANTED = [
    (
        "chapters/01-introduction/index.html",
        "",
        "<img src=x onerror=\"window.__pwned='pwn901'\">",
        {"marker"},
        {"handler-attribute"},
    ),
    (
        "chapters/02-leaving-no-one-behind/index.html",
        "",
        "<span onmouseover=\"alert('pwn902')\">hover</span>",
        {"dialog"},
        {"handler-attribute"},
    ),
    (
        "chapters/03-individuals-societies/index.html",
        "",
        "<a href=\"java&#x09;script:void(window.__pwned='pwn903')\">x</a>",
        {"marker"},
        {"code-url"},
    ),
    (
        "chapters/04-mechanisms/index.html",
        "",
        '<img src="https://tracker.example/pwn904.png" alt="">',
        {"request"},
        {"remote-resource"},
    ),
    (
        "recommendations/help-desks/index.html",
        "",
        "<details open ontoggle=\"document.title='pwn905'\"><summary>x</summary>y</details>",
        {"marker"},
        {"handler-attribute"},
    ),
    ("recommendations/index.html", "", "<script>fetch('//evil.example/pwn906')</script>", {"request"}, {"script"}),
    (
        "progress/index.html",
        "",
        '<meta http-equiv="refresh" content="0;url=https://evil.example/pwn907">',
        {"request", "navigation"},
        {"forbidden-element"},
    ),
    (
        "annexes/04-donors/index.html",
        '<meta http-equiv="Content-Security-Policy" content="img-src \'self\'">',
        '<img src="https://tracker.example/pwn908.png" alt="">',
        {"csp"},
        {"remote-resource"},
    ),
]


def test_the_harness_catches_what_is_planted_in_a_built_site(clean_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(clean_site, site)
    for page, head, article, _, _ in PLANTED:
        path = site / page
        # The built pages carry a Content-Security-Policy that would block what is planted before it
        # runs: taken out, so that the harness has to see the code run to report it.
        html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", path.read_text("utf-8"))
        assert html.count("</article>") == 1 and html.count("</head>") == 1, page
        path.write_text(
            html.replace("</head>", head + "</head>").replace("</article>", article + "</article>"), "utf-8"
        )
    visit = browser.visit_site(site, pages=[p for p, *_ in PLANTED])
    static = browser.scan_site(site)
    for page, _, article, seen, read in PLANTED:
        token = TOKEN.search(article).group(0)
        kinds = {v.kind for v in visit.violations if v.page == page and (token in v.detail or v.kind == "csp")}
        assert seen <= kinds, (page, article, visit.violations)
        kinds = {v.kind for v in static if v.page == page and token in v.detail}
        assert read <= kinds, (page, article, static)
    assert {v.page for v in static} == {p for p, *_ in PLANTED}
