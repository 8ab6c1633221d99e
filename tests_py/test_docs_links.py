"""The written docs hold together (DECISIONLOG D173): every relative link and anchor of the
Markdown files resolves, every README section the code names exists, the README's project map
names every folder, and the decision log's index lists every decision under the section that
holds it. Pure text checks, no build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MARKDOWN = sorted(
    [ROOT / "README.md", ROOT / "DECISIONLOG.md", ROOT / "benchmark" / "README.md",
     ROOT / "benchmark" / "results" / "results.md", *(ROOT / "docs").glob("*.md")]
)
# Folders that are not the project's: build output, environments, caches (see .gitignore).
NOT_PROJECT_FOLDERS = {"target", "logs", "dbt_packages", "artifacts", "data", "spark-warehouse",
                       "metastore_db", "__pycache__"}
# Text files that may name a README section.
TEXT_SUFFIXES = {".md", ".sql", ".yml", ".yaml", ".py", ".sh", ".txt", ".ini", ".cfg"}
SKIP_DIRS = {".git", ".venv", "target", "logs", "dbt_packages", "artifacts", "__pycache__",
             "node_modules", "work"}
SKIP_PATHS: set[Path] = set()

FENCE = re.compile(r"^```.*?^```", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")


def prose(text):
    """The text a reader sees as Markdown: code blocks and code spans removed."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading):
    """GitHub's anchor for a heading: lower-cased, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path):
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    seen, result = {}, set(HTML_ANCHOR.findall(text))
    for heading in HEADING.findall(text):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def h2_sections(text):
    """{heading: body} of the `## ` sections, in order."""
    parts = re.split(r"^## (.+)$", FENCE.sub(lambda m: m.group(0).replace("## ", "  "), text), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_and_anchors_resolve(path):
    broken = []
    for target in LINK.findall(prose(path.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not checked offline
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading with anchor #{anchor} in {linked.name}")
    assert not broken, f"{path.relative_to(ROOT)}:\n  " + "\n  ".join(broken)


def project_text_files():
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if any(part in SKIP_DIRS or part.startswith(".") for part in relative.parts[:-1]):
            continue
        if any(skip in path.parents for skip in SKIP_PATHS):
            continue
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name == "Makefile"):
            yield path


def test_readme_sections_named_in_the_project_exist():
    """`README "Publication"` in a comment, an error message or a description must name a
    heading of the README (its start is enough: "The report" for "The report (客户分层分阶报告)")."""
    headings = [h.casefold() for h in HEADING.findall((ROOT / "README.md").read_text(encoding="utf-8"))]
    cited = re.compile(r"README(?:'s)?\s+\\?[\"'“]([^\"'”\\\n]+)\\?[\"'”]")
    stale = []
    for path in project_text_files():
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for name in cited.findall(line):
                if not any(h.startswith(name.strip().casefold()) for h in headings):
                    stale.append(f"{path.relative_to(ROOT)}:{number}: {name!r}")
    assert not stale, "README sections that do not exist:\n  " + "\n  ".join(stale)


def test_readme_opens_with_set_up_and_a_map_of_every_folder():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    sections = h2_sections(text)
    order = list(sections)
    assert order[:3] == ["Set-up", "Project map", "What you get"], order[:3]
    assert "Where to go next" in order, order
    set_up = sections["Set-up"]
    assert re.search(r"^make build\b", set_up, re.M) and re.search(r"^make test\b", set_up, re.M)

    map_rows = [line for line in sections["Project map"].splitlines() if line.startswith("| `")]
    mapped = {m for row in map_rows for m in re.findall(r"^\| `([^`/]+)/`", row)}
    folders = {p.name for p in ROOT.iterdir()
               if p.is_dir() and not p.name.startswith(".") and p.name not in NOT_PROJECT_FOLDERS}
    assert folders - mapped == set(), f"folders missing from the README's project map: {folders - mapped}"
    assert mapped - folders == set(), f"the map names folders that do not exist: {mapped - folders}"


def decisions_by_section(text):
    """{decision number: anchor of the `## ` section holding it}; fails on a number used twice."""
    found, section = {}, None
    for line in text.splitlines():
        heading = re.match(r"## (.+)", line)
        if heading:
            section = slug(heading.group(1))
        decision = re.match(r"\*\*D(\d+)\.", line)
        if decision:
            number = int(decision.group(1))
            assert number not in found, f"D{number} is defined twice"
            found[number] = section
    return found


def test_decision_index_lists_every_decision_under_its_section():
    text = (ROOT / "DECISIONLOG.md").read_text(encoding="utf-8")
    sections = h2_sections(text)
    assert list(sections)[0] == "Index by topic"
    defined = decisions_by_section(text)
    indexed, wrong = set(), []
    for line in sections["Index by topic"].splitlines():
        for first, last, anchor in re.findall(r"\[D(\d+)(?:–D(\d+))?\]\(#([^)]+)\)", line):
            for number in range(int(first), int(last or first) + 1):
                indexed.add(number)
                if defined.get(number) != anchor:
                    wrong.append(f"D{number} links #{anchor}, is in #{defined.get(number)}")
    assert not wrong, "index entries that point elsewhere:\n  " + "\n  ".join(wrong)
    missing = sorted(set(defined) - indexed)
    assert not missing, f"decisions missing from the index: {', '.join(f'D{n}' for n in missing)}"
