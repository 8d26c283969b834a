"""The errors Crafter-OO raises for bad input, so callers can catch exactly ours."""

from __future__ import annotations


class CrafterOOError(ValueError):
    """Bad input to Crafter-OO: an unknown action, a negative seed, a malformed state."""


class StateError(CrafterOOError):
    """A serialised state that is malformed or of another schema version; the message names the field."""


class ActionError(CrafterOOError):
    """An action that is neither an index 0..16 nor one of the 17 action names."""

