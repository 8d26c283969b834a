"""Proposers: where candidate laws come from.

``propose(transitions, current)`` is the symbolic proposer (``engine.propose.symbolic``): laws
induced offline from the evidence of a run. Every proposer returns ``Proposal`` records (parsed,
type-checked, Z3-checked law text with the evidence behind it) in a ``Proposals`` list.
"""

from engine.propose.proposal import Dropped, Proposal, Proposals
from engine.propose.symbolic import propose, propose_from_evidence

__all__ = ["Dropped", "Proposal", "Proposals", "propose", "propose_from_evidence"]
