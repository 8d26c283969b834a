"""The law-attribute graph (networkx): which laws read and write which attributes.

It prunes the checker's work: only laws writing a shared attribute are compared for conflicts, and
only laws with the same effects are compared for subsumption.
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx

from laws.ast import Binary, Call, EntityField, Expr, Law, LawSet, Member, Obs, Tile, Unary
from laws.solver import Write, writes


def reads(law: Law) -> set[str]:
    """Attributes the precondition reads ('player.inventory.wood', 'zombie.health', 'tile.material')."""
    kind = law.quantifier.kind if law.quantifier else None
    out: set[str] = set()
    stack: list[Expr | str] = [law.when] if law.when is not None else []
    while stack:
        e = stack.pop()
        if isinstance(e, Obs):
            out.add(e.path)
        elif isinstance(e, EntityField):
            out.add(f"{kind}.{e.name}")
        elif isinstance(e, Tile):
            out.add(f"tile.{e.name}")
            stack.append(e.pos)
        elif isinstance(e, Call):
            stack.extend(a for a in e.args if not isinstance(a, str))
        elif isinstance(e, Unary):
            stack.append(e.operand)
        elif isinstance(e, Binary):
            stack += [e.left, e.right]
        elif isinstance(e, Member):
            stack += [e.item, *e.options]
    return out


def law_attribute_graph(law_set: LawSet) -> nx.DiGraph:
    """Bipartite digraph: attribute -> law for reads, law -> attribute for writes (edge data: writes)."""
    g = nx.DiGraph()
    for law in law_set.laws:
        node = ("law", law.name)
        g.add_node(node, kind="law")
        for attr in reads(law):
            g.add_node(("attr", attr), kind="attribute")
            g.add_edge(("attr", attr), node)
        for w in writes(law):
            a = ("attr", w.attribute)
            g.add_node(a, kind="attribute")
            if g.has_edge(node, a):
                g.edges[node, a]["writes"].append(w)
            else:
                g.add_edge(node, a, writes=[w])
    return g


def conflict_candidates(g: nx.DiGraph) -> list[tuple[str, Write, str, Write]]:
    """Pairs of deterministic '='/move writes by two laws to one attribute: worth a Z3 check."""
    out = []
    for node, data in g.nodes(data=True):
        if data.get("kind") != "attribute":
            continue
        writers = []
        for law_node in g.predecessors(node):
            if law_node[0] != "law":
                continue
            for w in g.edges[law_node, node]["writes"]:
                if w.deterministic and w.op in ("=", "move"):
                    writers.append((law_node[1], w))
        for (la, wa), (lb, wb) in combinations(writers, 2):
            if la != lb:
                out.append((la, wa, lb, wb))
    return out


def shared_attributes(g: nx.DiGraph, a: str, b: str) -> set[str]:
    return {n[1] for n in g.successors(("law", a))} & {n[1] for n in g.successors(("law", b))}
