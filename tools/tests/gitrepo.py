"""Real git repositories for tests: commits by named authors at fixed dates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitRepo:
    def __init__(self, path: Path):
        self.path = path
        self.run("init", "-q", "-b", "main")
        self.run("config", "commit.gpgsign", "false")

    def run(self, *args: str, author: str = "Alice Admin", date: str = "2026-01-01T10:00:00+00:00") -> str:
        email = author.lower().replace(" ", ".") + "@example.org"
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        }
        return subprocess.run(["git", *args], cwd=self.path, env=env, check=True, capture_output=True, text=True).stdout

    def commit(self, message: str, author: str, date: str) -> None:
        self.run("add", "-A")
        self.run("commit", "-q", "-m", message, author=author, date=date)

    def edit(self, path: str, old: str, new: str) -> None:
        file = self.path / path
        text = file.read_text("utf-8")
        assert old in text, f"{old!r} not in {path}"
        file.write_text(text.replace(old, new, 1), "utf-8")
