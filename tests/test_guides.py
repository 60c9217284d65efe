"""Troubleshooting guides: ``deflect check`` on one broken guide per rule, written into tmp_path,
and the parser on the repository's own ``articles/en/hub-offline.md``.

Every guide is ``articles/en/x.md`` written with ``article(extra="type: troubleshooting")``: front matter
takes file lines 1–7, so body line 1 is file line 8. Line numbers in the comments are file lines.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import article, make_help_center, run_check, write
from deflect.helpcenter import HelpCenter
from deflect.content.guides import Answer, StepLink, check_guide, parse_guide

ROOT = Path(__file__).resolve().parent.parent
X = "articles/en/x.md"

# A valid guide: a question step, a step that links on in its text, a step without a question or
# link (continues with the next step) and the final contact step.
VALID = """\
Symptom.

## Look at the light {#light}

Find the light on the front.

**Is the light on?**

- **Yes** → [Restart the hub](#restart)
- **No** → [Check the power](#power)

## Check the power {#power}

Plug it in firmly, then [restart the hub](#restart).

## Restart the hub {#restart}

Press the button for 2 seconds.

**Is the light white now?**

- **Yes** → [Done](#done)
- **No** → [Still not working?](#contact)

## Done {#done}

Glad it works again.

## Still not working? {#contact}

Chat with us in the app.
"""


@pytest.fixture
def center(tmp_path: Path) -> Path:
    make_help_center(tmp_path)
    return tmp_path


def guide(root: Path, body: str, rel: str = X, title: str = "X") -> None:
    write(root, rel, article(title, extra="type: troubleshooting", body=textwrap.dedent(body)))


def problems(root: Path) -> list[str]:
    run = run_check(root)
    assert run.exit_code == (1 if any(": warning: " not in line for line in run.lines) else 0), run.lines
    return run.lines


# --- valid guides ------------------------------------------------------------------------------


def test_valid_guide_has_no_problems(center: Path) -> None:
    guide(center, VALID)
    run = run_check(center, "--strict")
    assert run.exit_code == 0, run.lines
    assert run.lines == []


def test_example_guides_are_clean() -> None:
    """Every troubleshooting guide of the example help center, in every language."""
    center = HelpCenter.open(ROOT, history=False).content
    guides = [d for d in center.documents if d.article_type is not None and d.article_type.value == "troubleshooting"]
    assert {d.lang for d in guides} >= {"en", "hr", "et", "tl"}
    for doc in guides:
        assert [p.format() for p in check_guide(doc)] == [], doc.rel_path


# --- answers -----------------------------------------------------------------------------------


def test_answer_to_missing_step_suggests_the_closest_id(center: Path) -> None:
    guide(center, VALID.replace("- **No** → [Check the power](#power)", "- **No** → [Check the power](#powr)"))
    # 17 "- **No** → [Check the power](#powr)"; that answer was the only way to #power (line 19).
    assert problems(center) == [
        f"{X}:17: answer 'No' points to a step that does not exist: '#powr' (did you mean '#power'?)",
        f"{X}:17: broken anchor '#powr': no such heading or id in this file",
        f"{X}:19: step '#power' cannot be reached from the first step '#light': no answer or link leads to it, "
        "and the step before it does not continue to it",
    ]


def test_answer_to_missing_step_without_a_close_id_lists_the_steps(center: Path) -> None:
    guide(center, VALID.replace("- **Yes** → [Done](#done)", "- **Yes** → [Done](#solved)"))
    # 29 "- **Yes** → [Done](#solved)"; that answer was the only way to #done (line 32).
    assert problems(center) == [
        f"{X}:29: answer 'Yes' points to a step that does not exist: '#solved' "
        "(steps: '#light', '#power', '#restart', '#done', '#contact')",
        f"{X}:29: broken anchor '#solved': no such heading or id in this file",
        f"{X}:32: step '#done' cannot be reached from the first step '#light': no answer or link leads to it, "
        "and the step before it does not continue to it",
    ]


def test_answer_to_an_id_that_is_not_a_step(center: Path) -> None:
    body = VALID.replace("- **Yes** → [Done](#done)", "- **Yes** → [Done](#tip)").replace(
        "Press the button for 2 seconds.", "Press the button for 2 seconds.\n\n### A tip {#tip}")
    guide(center, body)
    # 31 "- **Yes** → [Done](#tip)"; 34 "## Done {#done}" is no longer reached.
    assert problems(center) == [
        f"{X}:31: answer 'Yes' points to '#tip', which is not a step ('## ' heading) of this guide",
        f"{X}:34: step '#done' cannot be reached from the first step '#light': no answer or link leads to it, "
        "and the step before it does not continue to it",
    ]


def test_answer_linking_to_another_page(center: Path) -> None:
    guide(center, VALID.replace("- **Yes** → [Done](#done)", "- **Yes** → [Reset your password](reset-password.md)")
          .replace("## Done {#done}\n\nGlad it works again.\n\n", ""))
    # 29 "- **Yes** → [Reset your password](reset-password.md)"
    assert problems(center) == [
        f"{X}:29: answer 'Yes' links to 'reset-password.md': an answer must point to a step of this guide ('#id')",
    ]


def test_answer_link_that_wraps_is_reported_on_the_line_of_its_target(center: Path) -> None:
    body = VALID.replace("- **No** → [Check the power](#power)", "- **No** → [Check the power\n  supply](#powr)")
    guide(center, body)
    lines = problems(center)
    # 17 "- **No** → [Check the power", 18 "  supply](#powr)"
    assert f"{X}:18: answer 'No' points to a step that does not exist: '#powr' (did you mean '#power'?)" in lines


# --- questions ---------------------------------------------------------------------------------


def test_question_with_only_one_answer(center: Path) -> None:
    guide(center, VALID.replace("- **Yes** → [Done](#done)\n", ""))
    # 27 "**Is the light white now?**"
    assert problems(center) == [
        f"{X}:27: question 'Is the light white now?' has only one answer: list at least two, "
        "each as '- **Answer** → [Step title](#id)'",
        f"{X}:31: step '#done' cannot be reached from the first step '#light': no answer or link leads to it, "
        "and the step before it does not continue to it",
    ]


def test_question_without_answers(center: Path) -> None:
    answers = "- **Yes** → [Done](#done)\n- **No** → [Still not working?](#contact)\n"
    guide(center, VALID.replace(answers, "Then decide.\n"))
    # 27 "**Is the light white now?**"; without answers the step continues with #done.
    assert problems(center) == [
        f"{X}:27: question 'Is the light white now?' has no answers: list at least two, "
        "each as '- **Answer** → [Step title](#id)'",
    ]


def test_answers_without_a_question(center: Path) -> None:
    guide(center, VALID.replace("**Is the light on?**\n\n", ""))
    # 14 "- **Yes** → [Restart the hub](#restart)"
    assert problems(center) == [
        f"{X}:14: 2 answers without a question in step '#light': put the question in bold on its own line "
        "before them ('**Is the light on?**')",
    ]


def test_question_wrapped_over_two_lines(center: Path) -> None:
    guide(center, VALID.replace("**Is the light on?**", "**Is the light on\nat all?**"))
    assert problems(center) == []


# --- the shape of the guide --------------------------------------------------------------------


def test_unreachable_step(center: Path) -> None:
    body = """\
    Symptom.

    ## Look at the light {#light}

    **Is the light on?**

    - **Yes** → [Refresh the app](#app)
    - **No** → [Still not working?](#contact)

    ## Check the power {#power}

    Nothing leads here: the step before asks a question whose answers skip it.

    ## Refresh the app {#app}

    Pull down to refresh.

    ## Still not working? {#contact}

    Chat with us.
    """
    guide(center, body)
    # 17 "## Check the power {#power}"
    assert problems(center) == [
        f"{X}:17: step '#power' cannot be reached from the first step '#light': no answer or link leads to it, "
        "and the step before it does not continue to it",
    ]


def test_loop_without_a_way_out(center: Path) -> None:
    body = """\
    Symptom.

    ## Check the plug {#plug}

    **Is the light on?**

    - **Yes** → [Reset the plug](#reset)
    - **No** → [Still not working?](#contact)

    ## Reset the plug {#reset}

    Hold the button, then [try another socket](#socket).

    ## Try another socket {#socket}

    Plug it in elsewhere, then [reset the plug again](#reset).

    ## Still not working? {#contact}

    Chat with us.
    """
    guide(center, body)
    # 17 "## Reset the plug {#reset}" (first step of the loop)
    assert problems(center) == [
        f"{X}:17: loop with no way out: steps '#reset', '#socket' lead only to each other and never to "
        "'#contact'; add an answer that leads out of the loop",
    ]


def test_step_that_leads_only_to_itself(center: Path) -> None:
    body = VALID.replace("Plug it in firmly, then [restart the hub](#restart).",
                         "Plug it in firmly, then [check again](#power).")
    guide(center, body)
    # 19 "## Check the power {#power}"
    assert problems(center) == [
        f"{X}:19: loop with no way out: step '#power' leads only back to itself and never to '#contact'; "
        "add an answer that leads on",
    ]


def test_guide_without_a_final_step(center: Path) -> None:
    body = VALID.replace("## Still not working? {#contact}\n\nChat with us in the app.\n", "").replace(
        "Glad it works again.", "Glad it works again. Otherwise [start over](#light).")
    guide(center, body)
    # 32 "## Done {#done}" is the last step and leads back to the first one; the answer to #contact dangles.
    assert problems(center) == [
        f"{X}:30: answer 'No' points to a step that does not exist: '#contact' "
        "(steps: '#light', '#power', '#restart', '#done')",
        f"{X}:30: broken anchor '#contact': no such heading or id in this file",
        f"{X}:32: the guide has no final step: the last step '#done' leads on to '#light'; end the guide with "
        "'## Still not working? {#contact}' telling the reader how to contact support",
    ]


def test_duplicate_step_id(center: Path) -> None:
    guide(center, VALID.replace("## Done {#done}", "## Done {#power}").replace("[Done](#done)", "[Done](#power)"))
    # 32 "## Done {#power}", the second step with id 'power' (the first is on line 19)
    assert problems(center) == [
        f"{X}:32: duplicate step id '#power' (already used by the step on line 19): give every step its own id",
    ]


def test_too_few_steps_is_still_reported(center: Path) -> None:
    guide(center, "Symptom.\n\n## Still not working? {#contact}\n\nChat with us.\n")
    # 6 "type: troubleshooting"
    assert problems(center) == [
        f"{X}:6: a troubleshooting guide needs at least two steps ('## ' headings), found 1",
    ]


def test_translations_are_checked_too(center: Path) -> None:
    guide(center, VALID)
    guide(center, VALID.replace("(#power)", "(#snaga)"), rel="articles/hr/x.md", title="Hrvatski X")
    hr = "articles/hr/x.md"
    assert problems(center) == [
        f"{hr}:17: answer 'No' points to a step that does not exist: '#snaga' "
        "(steps: '#light', '#power', '#restart', '#done', '#contact')",
        f"{hr}:17: broken anchor '#snaga': no such heading or id in this file",
        f"{hr}:19: step '#power' cannot be reached from the first step '#light': no answer or link leads to it, "
        "and the step before it does not continue to it",
    ]


def test_answers_in_code_blocks_are_not_answers(center: Path) -> None:
    body = VALID.replace("Glad it works again.", "Write answers like this:\n\n```markdown\n**Is it on?**\n\n"
                         "- **Yes** → [Nowhere](#nowhere)\n```")
    guide(center, body)
    assert problems(center) == []


# --- the parser on the real example ------------------------------------------------------------


def test_parse_hub_offline() -> None:
    center = HelpCenter.open(ROOT, history=False).content
    doc = next(d for d in center.documents if d.rel_path == "articles/en/hub-offline.md")
    guide_ = parse_guide(doc)
    assert guide_.path == "articles/en/hub-offline.md"
    assert [s.id for s in guide_.steps] == [
        "light", "power", "colour", "update", "internet", "router", "wifi", "reconnect", "restart", "app", "contact",
    ]
    first = guide_.steps[0]
    assert (first.title, first.line, first.question, first.question_line) == (
        "Look at the status light", 18, "Is the light on?", 22)
    assert first.answers == [Answer("Yes", "#colour", 24), Answer("No", "#power", 25)]
    assert first.links == []
    colour = guide_.step("colour")
    assert colour is not None
    assert [a.label for a in colour.answers] == [
        "Steady white", "Fast orange blink", "Steady orange", "Steady red or slow blue blink"]
    assert [a.step_id for a in colour.answers] == ["app", "internet", "update", "restart"]
    # A step without a question that links on in its text goes where its links go.
    update = guide_.step("update")
    assert update is not None
    assert (update.question, update.answers) == (None, [])
    assert update.links == [StepLink("#colour", 51), StepLink("#contact", 52)]
    assert guide_.exits(update) == ["colour", "contact"]
    last = guide_.steps[-1]
    assert (last.id, last.title, last.line, last.question, last.answers, last.links) == (
        "contact", "Still not working?", 107, None, [], [])
    assert guide_.exits(last) == []
    assert guide_.terminals() == {"contact"}
    assert guide_.reachable() == {s.id for s in guide_.steps}
    assert check_guide(doc) == []
