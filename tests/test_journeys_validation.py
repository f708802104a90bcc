"""Broken journey files stop startup with the file, the node and the problem named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.core import yamlfile
from bot.core.content import JOURNEYS, JourneyError, load_journeys
from bot.core.journeys.schema import Journey

GOOD = {
    "spec_version": 1, "journey": "demo", "version": 1, "title": "Demo", "start": "one",
    "nodes": [
        {"id": "one", "text": "Step one", "sources": ["S20"], "last_checked": "2026-11-22",
         "next": "two"},
        {"id": "two", "text": "Step two", "sources": ["S21"], "last_checked": "2026-11-22"},
    ],
}


def broken(tmp_path: Path, **changes: object) -> str:
    """Write a demo journey with `changes` to node 'one', load it, return the error text."""
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    data["nodes"][0].update(changes)
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(JourneyError) as error:
        load_journeys(tmp_path, translations=False)
    return str(error.value)


def test_the_demo_itself_is_valid(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    assert set(load_journeys(tmp_path, translations=False)) == {"demo"}


def test_dangling_exit(tmp_path: Path) -> None:
    message = broken(tmp_path, next="nowhere")
    expected = "flows/journeys/demo.yaml: node 'one': exit to 'nowhere', which does not exist"
    assert expected in message


def test_unreachable_node(tmp_path: Path) -> None:
    message = broken(tmp_path, next=None)
    assert "flows/journeys/demo.yaml: node 'two': not reachable from start" in message


def test_missing_source_and_date(tmp_path: Path) -> None:
    assert "node 'one'" in broken(tmp_path, sources=[])
    assert "node 'one'" in broken(tmp_path, last_checked=None)
    assert "node 'one': unknown source 'S999'" in broken(tmp_path, sources=["S999"])


def test_typo_in_a_key_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, nxt="two")
    assert "node 'one'" in message and "nxt" in message


def test_a_question_needs_answers(tmp_path: Path) -> None:
    message = broken(tmp_path, question=True, choices=[{"label": "Yes", "next": "two"}])
    assert "node 'one'" in message and "at least two `choices`" in message


def test_node_id_that_would_overflow_button_data(tmp_path: Path) -> None:
    message = broken(tmp_path, id="x" * 30)
    assert f"node '{'x' * 30}': id: String should match pattern" in message


def test_missing_translation_names_file_node_and_language(tmp_path: Path) -> None:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    data["nodes"][0]["text"] = "A sentence no translator has seen"
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(JourneyError) as error:
        load_journeys(tmp_path)
    assert "flows/journeys/demo.yaml: node 'one': no nl translation" in str(error.value)


def test_a_broken_copy_of_a_shipped_journey_is_caught(tmp_path: Path) -> None:
    shutil.copy(JOURNEYS / "first_steps.yaml", tmp_path)
    path = tmp_path / "first_steps.yaml"
    journey = Journey.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    victim = next(node for node in journey.nodes if node.next)
    path.write_text(path.read_text(encoding="utf-8").replace(
        f"next: {victim.next}", "next: gone_missing", 1), encoding="utf-8")
    with pytest.raises(JourneyError) as error:
        load_journeys(tmp_path, translations=False)
    assert "flows/journeys/first_steps.yaml: node" in str(error.value)
    assert "gone_missing" in str(error.value)


def test_shipped_journeys_are_valid_and_complete() -> None:
    journeys = load_journeys()
    assert set(journeys) == {"first_steps", "housing", "inburgering", "work", "volunteering",
                             "health"}
    for journey in journeys.values():
        steps = [node for node in journey.nodes if node.is_step]
        assert all(node.sources and node.last_checked for node in steps)
        assert all(len(node.text or "") <= 700 for node in steps), journey.journey


ROUTED = {
    "spec_version": 1, "journey": "demo", "version": 1, "title": "Demo", "start": "split",
    "nodes": [
        {"id": "split", "router": {"field": "children", "cases": [{"when": ["yes"],
                                                                  "next": "parents"}],
                                   "default": "others"}},
        {"id": "parents", "text": "For parents", "sources": ["S20"], "last_checked": "2026-11-22"},
        {"id": "others", "text": "For others", "sources": ["S20"], "last_checked": "2026-11-22"},
    ],
}


@pytest.mark.parametrize(("field", "value"), [("children", "maybe"), ("municipality", "GM9999"),
                                              ("situation", "tourist")])
def test_router_values_are_checked(tmp_path: Path, field: str, value: str) -> None:
    data = yaml.safe_load(yaml.safe_dump(ROUTED))
    data["nodes"][0]["router"] = {"field": field, "cases": [{"when": [value], "next": "parents"}],
                                  "default": "others"}
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(JourneyError) as error:
        load_journeys(tmp_path, translations=False)
    assert "node 'split'" in str(error.value) and value in str(error.value)


def test_routers_in_a_circle_are_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(yaml.safe_dump(ROUTED))
    data["nodes"].append({"id": "again", "router": {"field": "children", "cases": [],
                                                    "default": "split"}})
    data["nodes"][0]["router"]["default"] = "again"
    data["nodes"][0]["router"]["cases"] = [{"when": ["yes"], "next": "parents"},
                                           {"when": ["no"], "next": "others"}]
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(JourneyError) as error:
        load_journeys(tmp_path, translations=False)
    assert "node 'split': routers lead in a circle back to this one" in str(error.value)


@pytest.mark.parametrize("audience", [{"situation": ["worker"]}, {"situation": []},
                                      {"children": "maybe"}, {"eu": False}])
def test_a_wrong_audience_names_the_file_and_the_field(tmp_path: Path,
                                                       audience: dict[str, object]) -> None:
    data = yaml.safe_load(yaml.safe_dump(GOOD)) | {"for": audience}
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(JourneyError) as error:
        load_journeys(tmp_path, translations=False)
    assert "flows/journeys/demo.yaml" in str(error.value)
    assert "for." in str(error.value)


def test_an_audience_fits_the_person_and_skipped_answers_hide_nothing() -> None:
    refugees_with_children = Journey.model_validate(
        GOOD | {"for": {"situation": ["refugee"], "children": True}}).audience
    assert refugees_with_children.fits({"situation": "refugee", "children": "yes"})
    assert refugees_with_children.fits({"situation": None, "children": None})
    assert not refugees_with_children.fits({"situation": "eu", "children": "yes"})
    assert not refugees_with_children.fits({"situation": "refugee", "children": "no"})
    assert Journey.model_validate(GOOD).audience.fits({"situation": "eu"})


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    """YAML's default lets the second key win silently; content files refuse it."""
    text = yaml.safe_dump(GOOD, sort_keys=False).replace(
        "  next: two\n", "  next: two\n  text: Step one again\n", 1)
    (tmp_path / "demo.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(JourneyError) as error:
        load_journeys(tmp_path, translations=False)
    assert "flows/journeys/demo.yaml" in str(error.value)
    assert "'text' given twice" in str(error.value)


def test_no_shipped_content_file_repeats_a_key() -> None:
    """Every YAML file under flows/ parses with the duplicate-key check."""
    for path in sorted(JOURNEYS.parent.rglob("*.yaml")):
        yamlfile.parse(path.read_text(encoding="utf-8"))
