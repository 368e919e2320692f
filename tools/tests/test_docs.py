"""The documentation cannot drift from the code: commands, targets and check codes are all there."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from reportkit.checks import RULES
from reportkit.cli import main

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text("utf-8")


def test_readme_opens_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make build", "make test"]
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^build: setup$", makefile, re.M) and re.search(r"^test: setup system$", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_every_command_has_help_and_is_documented():
    for name, command in main.commands.items():
        assert command.help and len(command.help) > 20, name
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage: " in result.output, name
        assert f"`report {name}" in README, f"README does not document `report {name}`"


def test_every_check_code_is_explained():
    documented = set(re.findall(r"`([a-z]+\.[a-z0-9-]+|schema)`", README))
    assert sorted(code for code in RULES if code not in documented) == []


def test_make_targets_in_the_readme_exist():
    makefile = (REPO / "Makefile").read_text()
    for target in set(re.findall(r"`make (\w+)", README)):
        assert re.search(rf"^{target}:", makefile, re.M), target


def _commands_reference():
    import importlib.util

    spec = importlib.util.spec_from_file_location("commands_reference", REPO / "tools/scripts/commands_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_commands_reference_is_the_cli_help():
    script = _commands_reference()
    assert script.updated(README) == README, "run `python tools/scripts/commands_reference.py`"
    for name in main.commands:
        assert f"$ report {name} --help\nUsage: report {name} " in README, name


def test_every_command_shows_examples_that_parse():
    for name, command in main.commands.items():
        help_text = CliRunner().invoke(main, [name, "--help"], terminal_width=100).output
        assert "\nExample:\n" in help_text.replace("  Example:", "Example:"), name
        examples = [line.strip() for line in help_text.split("Example:", 1)[1].split("\n\n")[1].splitlines()]
        assert examples and all(line.startswith(f"report {name}") for line in examples), (name, examples)
        for line in examples:  # each example's options exist: Click parses it up to running the command
            args = shlex.split(line)[2:]
            if ">" in args:  # a shell redirection, not the command's
                args = args[: args.index(">")]
            command.make_context(name, args)  # raises click.UsageError on an option that does not exist
