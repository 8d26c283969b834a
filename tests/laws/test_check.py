"""The Z3 checker: the reference set is clean; each kind of bad law is caught with a Z3 model."""

from __future__ import annotations

import laws


def test_reference_set_has_no_error_findings() -> None:
    findings = laws.check(laws.reference_set())
    assert findings.ok, [f.to_dict() for f in findings.errors]
    assert not findings.of_kind("inconclusive")
    assert findings.questions > len(laws.reference_set().laws)


def test_conflict_is_found_with_a_counterexample_state() -> None:
    findings = laws.check(laws.parse("""
law chop: when action == do and facing.material == tree then facing.material = grass
law mine: when action == do and facing.material in {tree, stone} then facing.material = path
"""))
    (conflict,) = findings.of_kind("conflict")
    assert conflict.severity == "error" and set(conflict.laws) == {"chop", "mine"}
    example = conflict.counterexample
    assert example["action"] == "do"
    assert "tree" in example.values(), "the model shows the faced tile is a tree"
    assert not findings.ok


def test_no_conflict_when_preconditions_are_disjoint() -> None:
    findings = laws.check(laws.parse("""
law chop: when action == do and facing.material == tree then facing.material = grass
law mine: when action == do and facing.material == stone then facing.material = path
"""))
    assert findings.ok and not findings.of_kind("conflict")


def test_subsumption_is_found() -> None:
    findings = laws.check(laws.parse("""
law rich(p ~ beta(1, 1)): when action == noop and player.inventory.wood >= 2
    then with probability p: player.inventory.stone += 1
law any(q ~ beta(2, 2)): when action == noop then with probability q: player.inventory.stone += 1
"""))
    (found,) = findings.of_kind("subsumed")
    assert found.laws == ("rich", "any") and found.severity == "warning"
    assert found.counterexample["player.inventory.wood"] >= 2
    assert findings.ok, "a subsumption is a warning, not an error"


def test_impossible_precondition_is_found_with_the_clashing_conditions() -> None:
    findings = laws.check(laws.parse(
        "law never: when player.inventory.wood > 5 and action == do and player.inventory.wood < 3 "
        "then player.inventory.wood += 1"))
    (found,) = findings.of_kind("unsatisfiable")
    assert found.laws == ("never",) and found.severity == "error"
    assert any("wood > 5" in c for c in found.core) and any("wood < 3" in c for c in found.core)
    assert not any("action" in c for c in found.core), "the core names only the clash"


def test_out_of_range_effect_is_found_with_a_counterexample() -> None:
    findings = laws.check(laws.parse("""
law overflow: when action == noop then player.inventory.stone = player.inventory.wood + 3
law off_map: when action == move_left then player.pos = player.pos + left
law fine: when action == noop and player.inventory.wood <= 6 then player.inventory.coal = player.inventory.wood + 3
"""))
    found = {f.laws[0]: f for f in findings.of_kind("out_of_range")}
    assert set(found) == {"overflow", "off_map"}
    assert found["overflow"].counterexample["player.inventory.wood"] >= 7
    assert found["off_map"].counterexample["player.pos.x"] == 0


def test_graph_prunes_pairs_to_shared_attributes() -> None:
    from laws.graph import conflict_candidates, law_attribute_graph
    g = law_attribute_graph(laws.reference_set())
    pairs = conflict_candidates(g)
    assert all(a.attribute == b.attribute for _, a, _, b in pairs)
    n = len(laws.reference_set().laws)
    assert len(pairs) < n * (n - 1) // 2 // 4
