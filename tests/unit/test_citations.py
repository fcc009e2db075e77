"""Every citation in src/ resolves inside the repository.

The code cites its clinical sources by primary reference and by the in-repo clinical reference
(``docs/clinical/<page>.md#<anchor>``). A reference to a Markdown file that is not in the
repository (such as the team's working notes) or to an anchor that the page does not define
fails here, so no citation can leave the product.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
CLINICAL = ROOT / "docs" / "clinical"

_MD_REF = re.compile(r"(?<![\w.-])((?:[\w.-]+/)*[\w.-]+\.md)(?:#([\w-]+))?(?![\w-])")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_EXPLICIT_ID = re.compile(r"""<a\s+(?:name|id)=["']([^"']+)["']""")


def github_slug(heading: str) -> str:
    """Anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|__", "", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors_of(page: Path) -> frozenset[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    in_fence = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        found.update(_EXPLICIT_ID.findall(line))
        match = _HEADING.match(line)
        if match:
            slug = github_slug(match.group(1))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}-{count}")
    return frozenset(found)


def resolve(reference: str, cited_in: Path) -> Path | None:
    """The repository file a reference names: relative to the citing file, else to the root."""
    for base in (cited_in.parent, ROOT):
        candidate = (base / reference.lstrip("/")).resolve()
        if candidate.is_file() and candidate.is_relative_to(ROOT):
            return candidate
    return None


def source_files() -> list[Path]:
    files = []
    for path in sorted(SRC.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        files.append(path)
    return files


def citation_errors(path: Path) -> list[str]:
    errors = []
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _MD_REF.finditer(line):
            reference, anchor = match.group(1), match.group(2)
            where = f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
            target = resolve(reference, path)
            if target is None:
                errors.append(f"{where} (no such file in the repository)")
            elif anchor and anchor not in anchors_of(target):
                errors.append(f"{where} (no anchor #{anchor} in {target.relative_to(ROOT)})")
    return errors


def test_every_markdown_citation_in_src_resolves() -> None:
    errors = [error for path in source_files() for error in citation_errors(path)]
    assert errors == []


def test_src_cites_the_clinical_reference() -> None:
    # Guards the walk above: if the pattern stopped matching, the test would pass vacuously.
    cited = [
        m.group(0)
        for path in source_files()
        for m in _MD_REF.finditer(path.read_text(encoding="utf-8"))
        if m.group(1).startswith("docs/clinical/") and m.group(2)
    ]
    assert len(cited) > 300


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Rule 12: Depression dose limits", "rule-12-depression-dose-limits"),
        ("PHQ-9", "phq-9"),
        ("Dose limits per protocol", "dose-limits-per-protocol"),
        ("For the chair: `session_ceilings`", "for-the-chair-session_ceilings"),
        (
            'Jurisdiction setting: "low-dose" rate (off by default)',
            "jurisdiction-setting-low-dose-rate-off-by-default",
        ),
    ],
)
def test_github_slug(heading: str, slug: str) -> None:
    assert github_slug(heading) == slug


def test_a_broken_citation_is_reported(tmp_path: Path) -> None:
    cited_in = tmp_path / "module.py"
    cited_in.write_text(
        "# working-notes/protocols.md rule 21\n"
        "# docs/clinical/session.md#rule-21\n"
        "# docs/clinical/session.md#rule-999\n",
        encoding="utf-8",
    )
    errors = citation_errors_for_test(cited_in)
    assert [e.split(": ", 1)[1] for e in errors] == [
        "working-notes/protocols.md (no such file in the repository)",
        "docs/clinical/session.md#rule-999 (no anchor #rule-999 in docs/clinical/session.md)",
    ]


def citation_errors_for_test(path: Path) -> list[str]:
    """``citation_errors`` for a file outside the repository (line numbers relative to it)."""
    errors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for match in _MD_REF.finditer(line):
            target = resolve(match.group(1), path)
            where = f"{number}: {match.group(0)}"
            if target is None:
                errors.append(f"{where} (no such file in the repository)")
            elif match.group(2) and match.group(2) not in anchors_of(target):
                errors.append(
                    f"{where} (no anchor #{match.group(2)} in {target.relative_to(ROOT)})"
                )
    return errors


def test_every_clinical_page_linked_from_the_index_exists() -> None:
    index = (CLINICAL / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([\w-]+\.md)\)", index))
    assert linked == {p.name for p in CLINICAL.glob("*.md")} - {"README.md"}
