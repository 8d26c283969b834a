"""Shared checks: compare a kernel result with the reference's and say where and when they differ."""

from __future__ import annotations

from crafter_oo.state import State, first_difference


def assert_same(ours: State, ref: State, where: str) -> None:
    """Fail with the first differing field, prefixed by ``where`` (seed, episode, step)."""
    diff = first_difference(ref, ours)
    assert diff is None, f"{where}: reference != kernel at {diff}"


def assert_same_step(ours: tuple[State, float, bool], ref: tuple[State, float, bool], where: str) -> None:
    assert_same(ours[0], ref[0], where)
    assert (ours[1], ours[2]) == (ref[1], ref[2]), (
        f"{where}: reward/done reference {ref[1:]} != kernel {ours[1:]}")
