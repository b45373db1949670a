"""bench/results.md: a header describing the machine and the run, then one section a benchmark.

`python -m bench` (`make bench`) starts the file afresh with `start()`; every benchmark then
writes its own section with `write_section()` (a benchmark run alone replaces only its section
and keeps the header). Everything here is gathered programmatically, with no absolute path and
no host name in it.
"""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

RESULTS = Path(__file__).with_name("results.md")
ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("boto3", "botocore", "moto", "aws-lambda-powertools", "pydantic", "pyjwt", "werkzeug")
TITLE = "# Benchmarks"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if platform.system() == "Darwin":
        try:
            out = subprocess.run(
                ["/usr/sbin/sysctl", "-n", "machdep.cpu.brand_string"],
                capture_output=True,
                text=True,
                check=True,
            )
            return out.stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            pass
    return platform.processor() or platform.machine() or "unknown"


def cores() -> str:
    logical = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else logical
    text = f"{logical} logical CPUs"
    return text if usable == logical else f"{text} ({usable} usable by this process)"


def ram() -> str:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "unknown"
    return f"{total / 2**30:.1f} GiB"


def operating_system() -> str:
    uname = platform.uname()
    text = f"{uname.system} {uname.release} {uname.machine}"
    try:
        distro = platform.freedesktop_os_release().get("PRETTY_NAME")
    except OSError:
        distro = platform.mac_ver()[0] and f"macOS {platform.mac_ver()[0]}"
    return f"{text} ({distro})" if distro else text


def python() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}"


def packages() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return ", ".join(found)


def code() -> str:
    """The commit measured, and whether the working tree differed from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    # Top-level places only (no absolute path): what the measured code differed in.
    changed = sorted({line[3:].split("/", 1)[0] for line in dirty.splitlines() if line[3:]})
    if not changed:
        return f"commit {head}"
    return f"commit {head} plus uncommitted changes in {', '.join(changed)}"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"
    except (OSError, AttributeError):
        return "unknown"


def machine_line() -> str:
    """One line for a benchmark's console output."""
    return f"{cpu_model()}, {cores()}, {ram()} RAM, {operating_system()}, {python()}"


def header() -> str:
    rows = [
        ("date", now()),
        ("CPU", f"{cpu_model()}, {cores()}"),
        ("RAM", ram()),
        ("OS", operating_system()),
        ("Python", python()),
        ("packages", packages()),
        ("code", code()),
        ("load average at start", load_average()),
    ]
    return "\n".join(
        [
            TITLE,
            "",
            "Written by `make bench` (`python -m bench`): regenerated on every run, never edited "
            "by hand. A benchmark run alone (`python -m bench.<name>`) replaces only its own "
            "section, which says when it ran.",
            "",
            "| machine | |",
            "|---|---|",
            *(f"| {name} | {value} |" for name, value in rows),
        ]
    )


def start() -> None:
    """A fresh results file: the header only."""
    RESULTS.write_text(header() + "\n")


def _sections(text: str) -> tuple[str, dict[str, str]]:
    """The header, and each `## title` section's body by title (in order)."""
    head, *parts = text.split("\n## ")
    found: dict[str, str] = {}
    for part in parts:
        title, _, body = part.partition("\n")
        found[title] = body.strip("\n")
    return head.rstrip("\n"), found


def write_section(title: str, lines: list[str], top: bool = False) -> None:
    """Replace the section `## title` (or append it, or put it first when `top`) with `lines`."""
    text = RESULTS.read_text() if RESULTS.exists() else header() + "\n"
    head, sections = _sections(text)
    sections.pop(title, None)
    body = "\n".join(lines).strip("\n")
    ordered = {title: body, **sections} if top else {**sections, title: body}
    RESULTS.write_text("\n\n".join([head, *(f"## {t}\n\n{b}" for t, b in ordered.items())]) + "\n")


SUMMARY = "Summary"


def write_summary(name: str, line: str) -> None:
    """Set `name`'s line in the summary on top of the file (the issue's three ratios)."""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    kept = [
        item
        for item in _sections(text)[1].get(SUMMARY, "").splitlines()
        if item.startswith("- **") and not item.startswith(f"- **{name}**")
    ]
    write_section(SUMMARY, sorted([*kept, f"- **{name}**: {line}"]), top=True)
