"""Rules to law text: conditions, merges, names, effects and notes.

Rules are printed as text and then parsed (``engine.propose.vet``), so the parser and type checker
judge every law the proposer makes, exactly as they judge hand-written ones.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.propose.atoms import GLOBAL, Atom, Frame
from engine.propose.effects import Compound, Rule


def conditions(frames: Mapping[str, Frame], rule: Rule) -> tuple[str, ...]:
    frame = frames[rule.frame]
    var = frame.var
    conds = [frame.features[i].render(var) for i in rule.literals]
    for excl in rule.exclusions:
        excl = tuple(i for i in excl if i not in rule.literals)  # implied by the rule's own literals
        if len(excl) == 1:
            conds.append(frame.features[excl[0]].render_complement(var))
        elif excl:
            conds.append("not (" + " and ".join(frame.features[i].render(var) for i in excl) + ")")
    writes_tile = any(a.key == "facing.material" for c in rule.effects + rule.implied_global for a in c.atoms)
    on_map = any(f.attribute == "facing.material" and ((f.op == "==" and f.value != "none")
                                                      or (f.op == "in" and "none" not in f.value))
                 for f in (frame.features[i] for i in rule.literals))
    if writes_tile and not on_map:
        conds.append("facing.material != none")  # repair: a tile write needs its tile on the map
    return tuple(conds)


def merge_categorical(frames: Mapping[str, Frame], rules: list[Rule]) -> list[Rule]:
    """Deterministic rules with the same effects whose conditions differ only in the value of one
    categorical attribute become one rule with ``attribute in {...}``."""
    out: list[Rule] = []
    groups: dict[tuple, list[Rule]] = {}
    for r in rules:
        if r.stochastic or r.exclusions:
            out.append(r)
            continue
        effect_key = (r.frame, tuple(sorted(a.text("v") for c in r.effects + r.implied_global for a in c.atoms)))
        groups.setdefault(effect_key, []).append(r)
    for effect_key in sorted(groups, key=str):
        members = groups[effect_key]
        frame = frames[effect_key[0]]
        merged = True
        while merged:
            merged = False
            for i in range(len(members)):
                for j in range(i + 1, len(members)):
                    m = _merge_pair(frame, members[i], members[j])
                    if m is not None:
                        members = [x for k, x in enumerate(members) if k not in (i, j)] + [m]
                        merged = True
                        break
                if merged:
                    break
        out += members
    return out


def _merge_pair(frame: Frame, a: Rule, b: Rule) -> Rule | None:
    ca, cb = a.conditions, b.conditions
    if len(ca) != len(cb):
        return None
    diff = [(x, y) for x, y in zip(sorted(ca), sorted(cb), strict=True) if x != y]
    if len(diff) != 1:
        return None
    x, y = diff[0]
    ax, vx = _categorical(x)
    ay, vy = _categorical(y)
    if ax is None or ax != ay:
        return None
    values = sorted(set(vx) | set(vy))
    cond = f"{ax} in {{{', '.join(values)}}}"
    rest = [c for c in ca if c != x]
    return Rule(a.frame, a.literals, (), a.effects, a.implied_global, False, a.support + b.support,
                a.explained + b.explained, tuple([*rest, cond]))


def _categorical(cond: str) -> tuple[str | None, list[str]]:
    if " in {" in cond and cond.endswith("}"):
        attr, values = cond.split(" in {", 1)
        return attr, [v.strip() for v in values[:-1].split(",")]
    if " == " in cond and " and " not in cond:
        attr, value = cond.rsplit(" == ", 1)
        if value.isidentifier() and value not in ("true", "false"):
            return attr, [value]
    return None, []


def merge_outcomes(rules: list[Rule]) -> list[Rule]:
    """Chance rules with one condition whose effects write the same observable become one
    ``one of`` law: the same situation, different outcomes."""
    out: list[Rule] = []
    groups: dict[tuple, list[Rule]] = {}
    for r in rules:
        if not r.stochastic:
            out.append(r)
            continue
        groups.setdefault((r.frame, r.conditions), []).append(r)
    for key in sorted(groups, key=str):
        members = groups[key]
        clusters: list[list[Rule]] = []
        for r in members:
            keys = {k for c in r.effects for k in c.keys}
            for cl in clusters:
                if any(keys & {k for c in x.effects for k in c.keys} for x in cl):
                    cl.append(r)
                    break
            else:
                clusters.append([r])
        for cl in clusters:
            if len(cl) == 1:
                out.append(cl[0])
                continue
            first = cl[0]
            merged = Rule(first.frame, first.literals, first.exclusions, [c for r in cl for c in r.effects],
                          [c for r in cl for c in r.implied_global], True, max(r.support for r in cl),
                          sum(r.explained for r in cl), first.conditions,
                          [o for r in cl for o in (r.outcomes or [r.effects + r.implied_global])])
            out.append(merged)
    return out


_PRIORITY = ("player.inventory.+", "player.achievements", "facing.material", "added", "{v}.exists",
             "{v}", "player.pos", "player.sleeping", "player.facing", "player.inventory.-", "step")


def name_atom(effects: list[Compound]) -> Atom:
    atoms = [a for c in effects for a in c.atoms]

    def rank(a: Atom) -> tuple[int, str]:
        key = a.key
        if key.startswith("player.inventory."):
            key = "player.inventory." + ("+" if a.op != "+=" or a.value >= 0 else "-")
        for i, p in enumerate(_PRIORITY):
            if key.startswith(p):
                return (i, a.slug())
        return (len(_PRIORITY), a.slug())

    return min(atoms, key=rank)


def _outcomes(effects: list[Compound], var: str | None) -> list[list[str]]:
    """The effect's possible outcomes as lists of simple effects: one, unless an atom stands for
    several (an ``add`` seen with several counts), then the product of the alternatives."""
    outcomes: list[list[str]] = [[]]
    for c in effects:
        for a in c.atoms:
            alts = a.alternatives(var if c.frame != GLOBAL else None)
            outcomes = [o + alt for o in outcomes for alt in alts]
    return outcomes


def _group(texts: list[str]) -> str:
    return texts[0] if len(texts) == 1 else "(" + "; ".join(texts) + ")"


def law_text(frames: Mapping[str, Frame], rule: Rule, name: str) -> tuple[str, set[str]]:
    """Law text and the kinds it moves (which need walkable declarations)."""
    frame = frames[rule.frame]
    var = frame.var
    lines = []
    moves: set[str] = set()
    for c in rule.effects + rule.implied_global:
        for a in c.atoms:
            if a.op == "move":
                moves.add("player" if a.key.startswith("player") else rule.frame)
    groups = rule.outcomes or [rule.effects + rule.implied_global]
    branches = [o for g in groups for o in _outcomes(g, var)]
    if len(branches) == 1 and not rule.stochastic:
        params, body = "", "; ".join(branches[0])
    elif len(branches) == 1:
        params, body = "(p ~ beta(1, 1))", "with probability p: " + _group(branches[0])
    else:
        options = (["nothing"] if rule.stochastic else []) + [_group(b) for b in branches]
        params = f"(m ~ dirichlet({', '.join(['1'] * len(options))}))"
        body = "one of m: " + " | ".join(options)
    lines.append(f"law {name}{params}:")
    if rule.frame != GLOBAL:
        lines.append(f"    for each {rule.frame} {var}")
    if rule.conditions:
        lines.append("    when " + " and ".join(rule.conditions))
    lines.append("    then " + body)
    return "\n".join(lines) + "\n", moves


def note(rule: Rule) -> str:
    what = ", ".join(a.describe() for c in rule.effects + rule.implied_global for a in c.atoms)
    where = " and ".join(rule.conditions) or "always"
    if rule.outcomes:
        options = " | ".join(", ".join(a.describe() for c in o for a in c.atoms) for o in rule.outcomes)
        return f"one of ({options}) in {rule.explained}/{rule.support} when {where}"
    kind = "by chance " if rule.stochastic else ""
    return f"{what} {kind}in {rule.explained}/{rule.support} when {where}"
