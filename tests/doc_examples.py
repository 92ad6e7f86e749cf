"""Runs the examples of a markdown page (docs/*.md, the README) the way a reader would type them.

Which blocks run, by the fence's language:

- ```console: lines starting `$ ` are commands; the lines under one, up to the next `$ ` line,
  are its expected output (stdout and stderr as a terminal shows them, tables tab-separated as
  when piped). A command with no lines under it is run but its output is not compared.
- ```sh: every line (continued with a trailing backslash) is a command; output is not compared.
- ```python: the block is executed; blocks of one page share one namespace, in order.

Every command must exit 0, unless a `# … exit N …` comment on its line says it exits N.
Output is compared line by line after runs of spaces and tabs become one space; `...` stands
for any text within a line, and a line of only `...` for any number of lines (commit hashes, dates,
long packs). Other blocks (```yaml, ```json, ```text …) are data, not examples; a block right
after `<!-- write: PATH -->` is written to PATH in the page's folder before the next block runs,
and one right after `<!-- not run: REASON -->` is skipped (the reason is required).

A page runs in a folder of its own, holding `fixtures/` (the repository's), with
FACTS_AUTHOR set and no FACTS_URL: a page starts with no store and makes its own (`facts
init`). `facts` commands run in-process through click (fast); a line with a pipe,
redirection or `$` other than `facts … > FILE` and `echo … | facts …` runs in bash, with
`facts` on PATH.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from factstore.cli import cli

ROOT = Path(__file__).resolve().parent.parent
AUTHOR = "Ana Ruiz <ana@northwind.test>"
RUN = {"console", "sh", "python"}
FENCE = re.compile(r"^(```+)\s*([\w-]*)[^\n]*$")
MARK = re.compile(r"^<!--\s*(write|not run):\s*(.*?)\s*-->\s*$")
EXIT = re.compile(r"#.*\bexit (\d+)\b")


@dataclass
class Block:
    page: str
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    write: str | None = None
    skip: str | None = None


@dataclass
class Command:
    line: int
    text: str
    expected: list[str] | None = None  # None: output not compared
    exit_code: int = 0


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a page, with the marker before each (if any)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    mark: tuple[str, str] | None = None
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        marker = MARK.match(lines[i])
        if marker:
            mark = (marker.group(1), marker.group(2))
        elif fence:
            end = i + 1
            while end < len(lines) and not lines[end].startswith(fence.group(1)):
                end += 1
            block = Block(path.name, i + 1, fence.group(2), "\n".join(lines[i + 1:end]))
            if mark and mark[0] == "write":
                block.write = mark[1]
            elif mark:
                block.skip = mark[1]
            found.append(block)
            mark = None
            i = end
        elif lines[i].strip():
            mark = None  # a marker applies only to the block right after it
        i += 1
    return found


def commands(block: Block) -> list[Command]:
    """The commands of a console or sh block, each with its expected output and exit code."""
    found: list[Command] = []
    pending = ""
    for offset, raw in enumerate(block.text.splitlines(), start=block.line + 1):
        if block.lang == "console" and not pending and not raw.startswith("$ "):
            if found and found[-1].expected is not None:
                found[-1].expected.append(raw)
            elif found and raw.strip():
                found[-1].expected = [raw]
            continue
        text = raw[2:] if block.lang == "console" and not pending else raw
        if text.rstrip().endswith("\\"):
            pending += text.rstrip()[:-1] + " "
            continue
        text, pending = pending + text, ""
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        code = EXIT.search(text)
        found.append(Command(offset, text, exit_code=int(code.group(1)) if code else 0))
    return found


def _normalise(text: str) -> str:
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def output_matches(expected: list[str], actual: str) -> bool:
    """Whether actual output fits the expected lines: `...` is any text within a line, and a
    line of only `...` is any number of lines."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line == "..." else
        "".join(r"[^\n]*?" if part == "..." else re.escape(part)
                for part in re.split(r"(\.\.\.)", line)) + "\n"
        for line in _normalise("\n".join(expected)).splitlines())
    return re.fullmatch(pattern, _normalise(actual) + "\n") is not None


@dataclass
class Page:
    """One page's folder, environment and Python namespace."""

    folder: Path
    namespace: dict[str, Any] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("FACTS_URL", "FACTS_BRANCH", "_FACTS_COMPLETE")}
        env.update(FACTS_AUTHOR=AUTHOR, NO_COLOR="1",
                   PATH=f"{self.folder / '.bin'}{os.pathsep}{env.get('PATH', '')}")
        return env

    def prepare(self) -> None:
        (self.folder / "fixtures").symlink_to(ROOT / "fixtures")
        wrapper = self.folder / ".bin" / "facts"
        wrapper.parent.mkdir()
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m factstore "$@"\n')
        wrapper.chmod(0o755)

    def run(self, command: Command) -> tuple[int, str]:
        """Run one command in the page's folder: its exit code and what it printed."""
        words = _simple(command.text)
        if words is None:
            done = subprocess.run(["bash", "-c", command.text], cwd=self.folder, env=self.env(),
                                  capture_output=True, text=True, timeout=120)
            return done.returncode, done.stdout + done.stderr
        args, stdin, target = words
        env = {k: None for k in ("FACTS_URL", "FACTS_BRANCH")}
        env.update(FACTS_AUTHOR=AUTHOR)
        result = CliRunner().invoke(cli, args, input=stdin, env=env, prog_name="facts",
                                    catch_exceptions=False)
        if target is None:
            return result.exit_code, result.output
        (self.folder / target).write_text(result.stdout, encoding="utf-8")
        return result.exit_code, result.stderr

    def exec_python(self, block: Block) -> None:
        code = compile("\n" * block.line + block.text, block.page, "exec")  # the page's lines
        exec(code, self.namespace)


def _simple(text: str) -> tuple[list[str], str | None, str | None] | None:
    """`facts ARGS`, `facts ARGS > FILE` or `echo TEXT | facts ARGS` as (ARGS, stdin, FILE);
    None for anything else (bash runs it)."""
    if "$" in text or "`" in text:
        return None
    lexer = shlex.shlex(text, posix=True, punctuation_chars="|&;<>()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words = list(lexer)
    stdin = None
    if words[:1] == ["echo"] and "|" in words:
        bar = words.index("|")
        stdin, words = " ".join(words[1:bar]) + "\n", words[bar + 1:]
    target = None
    if len(words) > 2 and words[-2] == ">":
        target, words = words[-1], words[:-2]
    if words[:1] != ["facts"] or any(w in ("|", "&&", "||", ";", "<", ">", "&", "(", ")")
                                     for w in words):
        return None
    return words[1:], stdin, target


def run_page(path: Path, folder: Path) -> int:
    """Run every example of the page at path in folder (empty); how many blocks ran.
    Raises AssertionError naming the page, line and command at the first difference."""
    page = Page(folder)
    page.prepare()
    cwd = Path.cwd()
    os.chdir(folder)
    ran = 0
    try:
        for block in blocks(path):
            if block.write:
                (folder / block.write).write_text(block.text + "\n", encoding="utf-8")
                continue
            if block.lang not in RUN or block.skip is not None:
                assert block.skip is None or block.skip, f"{path.name}:{block.line}: no reason"
                continue
            ran += 1
            if block.lang == "python":
                page.exec_python(block)
                continue
            for command in commands(block):
                code, out = page.run(command)
                where = f"{path.name}:{command.line}: $ {command.text}"
                assert code == command.exit_code, (
                    f"{where}\nexit {code}, expected {command.exit_code}; output:\n{out}")
                if command.expected is not None:
                    assert output_matches(command.expected, out), (
                        f"{where}\nexpected:\n" + "\n".join(command.expected)
                        + f"\ngot:\n{out}")
    finally:
        os.chdir(cwd)
    return ran
