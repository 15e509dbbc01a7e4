"""The README and docs/ are read from a clone: every link they make must resolve inside it."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
# A path in backticks that climbs out of the checkout, e.g. `../shared/DESIGN.md`.
OUTSIDE = re.compile(r"`\.\./[^`]*`")


def _links(path: Path) -> list[str]:
    return [target for target in LINK.findall(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_link_resolves_inside_the_repository(document):
    broken = []
    for target in _links(document):
        if target.startswith(("http://", "https://", "mailto:")):
            broken.append(f"{target}: a link outside the repository")
            continue
        file_part = target.split("#", 1)[0]
        if not file_part:
            continue
        resolved = (document.parent / file_part).resolve()
        if not resolved.is_relative_to(ROOT):
            broken.append(f"{target}: outside the checkout")
        elif not resolved.exists():
            broken.append(f"{target}: missing")
    assert broken == [], broken


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_no_path_points_outside_the_checkout(document):
    assert OUTSIDE.findall(document.read_text(encoding="utf-8")) == []


def test_readme_starts_with_the_two_commands_and_links_every_manual():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"(?m)^## (.+)$", readme)
    assert headings[:2] == ["The two commands", "Demo logins"]
    for manual in ("training", "learning", "certificates", "partners", "visits", "library"):
        assert f"(docs/{manual}.md)" in readme
    assert "(docs/insights.md)" in readme
