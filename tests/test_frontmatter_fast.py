"""Front matter that cannot break the YAML limits is parsed by libyaml: the same values, key lines and
problems as the checked loader; anything else still goes through the checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from deflect.content import frontmatter
from deflect.content.yamlsafe import MAX_DEPTH, fast_loader

ROOT = Path(__file__).resolve().parent.parent
TRICKY = [
    "title: Reset\nreviewed: 2026-10-01\npublished: yes\nweight: 007\nratio: 1e3\nempty:\ntags: [a, 'b c', 3]\n",
    "title: \"Quoted: colon\"\nsummary: >\n  folded\n  text\nsteps:\n  - one\n  - {k: v, n: [1, 2]}\nmeta:\n  x: 1\n  y: [null, ~, true]\n",
    "title: Dup\ntitle: Again\n",  # duplicate key: a problem, as before
    "- not\n- a mapping\n",
    "title: [unclosed\n",  # invalid YAML: the checked loader words the error
    "reviewed: 2026-02-30\n",  # an impossible date
    "",
    "title: Ünïcode — ok ✓\nsummary: 'It''s fine'\n",
]


def _both(yaml_text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    text = f"---\n{yaml_text}---\nBody line\n"
    fast = frontmatter._split_front_matter(text, "a.md")
    monkeypatch.setattr(frontmatter, "fast_loader", lambda _text: None)
    slow = frontmatter._split_front_matter(text, "a.md")
    monkeypatch.undo()
    return fast, slow


@pytest.mark.parametrize("yaml_text", TRICKY)
def test_libyaml_and_the_checked_loader_agree(yaml_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = _both(yaml_text, monkeypatch)
    assert fast == slow


def test_every_example_article_parses_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted((ROOT / "articles").rglob("*.md")) + sorted((ROOT / "faq").rglob("*.md"))
    assert len(files) > 50
    for path in files:
        head = path.read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n") + "\n"
        assert fast_loader(head) is not None, path  # the example's front matter takes the fast path
        fast, slow = _both(head, monkeypatch)
        assert fast == slow, path


def test_texts_that_could_break_a_limit_take_the_checked_loader() -> None:
    assert fast_loader("a: &x [1]\nb: *x\n") is None
    assert fast_loader("summary: bold *word*\n") is None  # a star could be an alias: checked, not refused
    assert fast_loader("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n") is None
    deep = "".join(" " * level + f"k{level}:\n" for level in range(MAX_DEPTH))
    assert fast_loader(deep) is None
    assert fast_loader("title: plain\ntags: [a, b]\n") is (getattr(yaml, "CSafeLoader", None))


def test_a_parsed_source_is_shared_and_each_caller_gets_its_own_problems() -> None:
    """The loader reads a parsed source and never changes it, so it is handed out as it is (copying
    it cost more than parsing saved); the problem list, which the loader extends, is the caller's."""
    text = "---\ntitle: Shared\ntags: [a, b]\n---\nBody\n"
    first, problems = frontmatter.split_front_matter(text, "shared.md")
    again, problems_again = frontmatter.split_front_matter(text, "shared.md")
    assert first is not None and again is first
    assert problems == problems_again and problems is not problems_again
    assert first.meta == {"title": "Shared", "tags": ["a", "b"]}
    problems.append(frontmatter.error("shared.md", 1, "added by a caller"))
    assert frontmatter.split_front_matter(text, "shared.md")[1] == problems_again == []


def test_compact_nested_lists_take_the_checked_loader_and_hit_the_depth_limit() -> None:
    """``- - - x`` nests a level per dash with no indentation: libyaml would recurse without limit."""
    from deflect.content.yamlsafe import YamlLimitError, load_yaml

    deep = "a:\n- " + "- " * (MAX_DEPTH + 5) + "x\n"
    assert fast_loader(deep) is None
    with pytest.raises(YamlLimitError):
        load_yaml(deep)
    assert fast_loader("tags:\n- one\n- two\n") is not None  # plain lists keep the fast path


def test_the_checked_loader_is_made_only_when_libyaml_cannot_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Making the checked loader reads the whole text: a source libyaml parsed never pays for it."""
    made: list[str] = []

    class Counted(frontmatter._UniqueKeyLoader):
        def __init__(self, stream: str) -> None:
            made.append(stream)
            super().__init__(stream)

    monkeypatch.setattr(frontmatter, "_UniqueKeyLoader", Counted)
    source, problems = frontmatter._split_front_matter("---\ntitle: Fast\ntags: [a, b]\n---\nBody\n", "fast.md")
    assert source is not None and source.meta == {"title": "Fast", "tags": ["a", "b"]} and not problems
    assert made == []
    source, problems = frontmatter._split_front_matter("---\ntitle: &t Slow\nagain: *t\n---\nBody\n", "slow.md")
    assert source is not None and source.meta == {"title": "Slow", "again": "Slow"}
    assert made == ["title: &t Slow\nagain: *t"]


@pytest.mark.parametrize("yaml_text", [
    *TRICKY[:2],
    "base: {a: 1}\nmerged:\n  <<: {b: 2}\n  c: 3\n",  # a merge key: built by PyYAML
    "1: one\ntrue: yes\n2026-01-01: date\nnull: ~\n",  # keys that are not text
    "k: b\nk: c\nother: [x, {y: [1, 2.5, .inf]}]\n",  # the later key wins, in the first key's place
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\nt: !!str 12\nbin: !!binary aGk=\n",
])
def test_construct_builds_what_pyyaml_builds(yaml_text: str) -> None:
    from deflect.content.yamlsafe import construct

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    ours, theirs = loader_class(yaml_text), loader_class(yaml_text)
    try:
        built, expected = construct(ours, ours.get_single_node()), theirs.construct_document(theirs.get_single_node())
    finally:
        ours.dispose()
        theirs.dispose()
    assert built == expected
    assert repr(built) == repr(expected)  # same types and the same key order
