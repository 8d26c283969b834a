"""The ``lawsmith`` command line. It only parses arguments, calls the library and prints.

Data goes to stdout, errors to stderr as one line; exit code 0 ok, 1 failure, 2 bad usage or input.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

if TYPE_CHECKING:
    from engine.explore import Progress
    from engine.sessions import Store

app = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False, add_completion=False,
                  help="Learn the laws of Crafter-OO from one life of exploration.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line error to stderr and exit (2 = bad usage or bad input)."""
    err.print(f"lawsmith: error: {message}", markup=False)
    raise typer.Exit(code)


Seed = Annotated[int, typer.Option("--seed", "-s", help="World seed (>= 0), as crafter.Env(seed=...).")]


def _print_world(state: object, radius: int) -> None:
    import crafter_oo

    view = crafter_oo.render_text(state, radius=(radius, max(1, radius - 1)))  # type: ignore[arg-type]
    lines = view.splitlines()
    out.print(Panel("\n".join(lines[:-1]), expand=False, padding=(0, 1)), markup=False)
    out.print(lines[-1], markup=False)


@app.command()
def show(seed: Seed = 0,
         episode: Annotated[int, typer.Option(help="Which reset of the env (1 = first).")] = 1,
         radius: Annotated[int, typer.Option(help="Tiles shown on each side of the player.")] = 6,
         legend: Annotated[bool, typer.Option(help="Explain the characters.")] = True) -> None:
    """Print the world around the player and the player's status."""
    import crafter_oo
    from crafter_oo.render import LEGEND

    if radius < 1 or radius > 32:
        fail(f"--radius must be 1..32, got {radius}")
    try:
        state = crafter_oo.reset(seed, episode)
    except crafter_oo.CrafterOOError as exc:
        fail(str(exc))
    _print_world(state, radius)
    inventory = Table(show_header=True, header_style="bold", box=None)
    p = state.player
    names = [n for n in crafter_oo.constants.ITEMS if n in crafter_oo.constants.VITALS or p.inventory[n]]
    for name in names:
        inventory.add_column(name)
    inventory.add_row(*(str(p.inventory[n]) for n in names))
    out.print(inventory)
    counts: dict[str, int] = {}
    for e in state.objects.values():
        counts[e.kind] = counts.get(e.kind, 0) + 1
    out.print("creatures: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if legend:
        out.print(LEGEND, style="dim", markup=False)


@app.command()
def play(seed: Seed = 0,
         radius: Annotated[int, typer.Option(help="Tiles shown on each side of the player.")] = 4) -> None:
    """Step through a world with action names (or indices 0..16) read from stdin, one per line.

    `actions` lists them, `quit` (or end of input) stops. A bad action is reported and skipped.
    """
    import crafter_oo

    try:
        state = crafter_oo.reset(seed)
    except crafter_oo.CrafterOOError as exc:
        fail(str(exc))
    _print_world(state, radius)
    total = 0.0
    for raw in sys.stdin:
        word = raw.strip()
        if not word or word.startswith("#"):
            continue
        if word in ("quit", "exit"):
            break
        if word in ("actions", "help", "?"):
            out.print(" ".join(f"{i}:{a}" for i, a in enumerate(crafter_oo.constants.ACTIONS)))
            continue
        action: int | str = int(word) if word.lstrip("-").isdigit() else word
        try:
            state, reward, done = crafter_oo.step(state, action)
        except crafter_oo.CrafterOOError as exc:
            err.print(f"lawsmith: {exc}", markup=False)
            continue
        total += reward
        _print_world(state, radius)
        if reward:
            out.print(f"reward {reward:+.1f} (total {total:+.1f})")
        if done:
            out.print(f"the episode is over at step {state.step} (total reward {total:+.1f})")
            break


@app.command()
def check(paths: Annotated[list[str], typer.Argument(help="`.law` files or folders; `reference`: the shipped set.")],
          json_output: Annotated[bool, typer.Option("--json", help="Print exactly one JSON document.")] = False,
          ) -> None:
    """Parse and check laws with Z3: exit 0 clean, 1 error findings, 2 unreadable or unparsable."""
    import json

    from rich.text import Text

    import laws

    try:
        sources = [laws.REFERENCE_DIR if p == "reference" else p for p in paths]
        law_set = laws.load(*sources)
    except laws.LawError as exc:
        fail(exc.one_line())
    findings = laws.check(law_set)
    if json_output:
        out.print(json.dumps(findings.to_dict(), sort_keys=True, default=str), markup=False, soft_wrap=True)
    else:
        table = Table(title=f"{findings.laws} laws, {findings.questions} questions, {len(findings)} findings")
        for column in ("severity", "kind", "laws", "message", "counterexample"):
            table.add_column(column, overflow="fold")
        for f in findings:
            example = ", ".join(f"{k}={v}" for k, v in (f.counterexample or {}).items()) or "; ".join(f.core)
            table.add_row(*(Text(cell) for cell in (f.severity, f.kind, ", ".join(f.laws), f.message, example)))
        out.print(table)
    if not findings.ok:
        raise typer.Exit(1)


@app.command()
def trace(output: Annotated[str, typer.Option("--output", "-o", help="Where to write the JSONL trace.")],
          seed: Seed = 0,
          steps: Annotated[int, typer.Option(help="Transitions to record (>= 1).")] = 2000) -> None:
    """Record seeded uniform-random play as a JSONL trace (one transition a line; resets on death)."""
    import crafter_oo

    if steps < 1:
        fail(f"--steps must be >= 1, got {steps}")
    if seed < 0:
        fail(f"--seed must be >= 0, got {seed}")
    try:
        count = crafter_oo.write_trace(output, crafter_oo.random_play(seed, steps))
    except OSError as exc:
        fail(f"{output}: cannot write the trace ({exc.strerror or exc})")
    err.print(f"wrote {count} transitions to {output}")


@app.command()
def fit(laws_path: Annotated[str, typer.Argument(metavar="LAWS",
                                                 help="A `.law` file or folder; `reference`: the shipped set.")],
        trace_path: Annotated[str, typer.Argument(metavar="TRACE", help="JSONL trace of transitions to fit.")],
        output: Annotated[str | None, typer.Option("--output", "-o", help="Where to save the model (JSON).")] = None,
        seed: Seed = 0,
        svi_steps: Annotated[int, typer.Option(help="SVI steps for the law weights.")] = 300,
        json_output: Annotated[bool, typer.Option("--json", help="Print every fitted parameter as JSON.")] = False,
        ) -> None:
    """Fit a law set's parameters and weights to a trace; save the world model; list the estimates."""
    import json

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.text import Text

    import crafter_oo
    import laws
    from engine.fitting import fit_files

    if svi_steps < 1:
        fail(f"--svi-steps must be >= 1, got {svi_steps}")
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err,
                  transient=True, disable=not err.is_terminal) as bar:
        tasks: dict[str, object] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)  # type: ignore[arg-type]

        try:
            model = fit_files([laws_path], trace_path, output, seed=seed, svi_steps=svi_steps, progress=progress)
        except laws.LawError as exc:
            fail(exc.one_line())
        except (crafter_oo.CrafterOOError, ValueError) as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{output}: cannot save the model ({exc.strerror or exc})")
    estimates = model.parameters()
    if json_output:
        doc = {"schema_version": 1, "model": output, "fit": model.info,
               "parameters": [e.to_dict() for e in estimates]}
        out.print(json.dumps(doc, sort_keys=True), markup=False, soft_wrap=True)
        return
    table = Table(title=f"{len(model.law_set)} laws fitted on {model.info['transitions']} transitions "
                        f"in {model.info['seconds']:.1f} s" + (f"; saved to {output}" if output else ""))
    for column in ("parameter", "mean", "MAP", "90% interval"):
        table.add_column(column, overflow="fold")
    for e in estimates:
        if e.kind in ("beta", "dirichlet", "weight"):
            table.add_row(Text(e.name), f"{e.mean:.4f}", f"{e.mode:.4f}", Text(f"[{e.lo:.4f}, {e.hi:.4f}]"))
    out.print(table)


# ------------------------------------------------------------------------------- evaluate (issue 6)

@app.command()
def evaluate(
    model: Annotated[str, typer.Option(
        "--model", "-m", help="true, null, random, reference (the reference laws fitted on 5,000 steps of "
                              "seeded random play), or the path of a fitted model.")] = "true",
    transitions: Annotated[str | None, typer.Option(
        "--transitions", help="Evaluate on this JSONL trace (grouped by action) instead of the scenarios.")] = None,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Evaluation seed (>= 0).")] = 0,
    trials: Annotated[int, typer.Option("--trials", "-n", help="Trials (each re-runs, reshuffles, resamples).")] = 5,
    scenario: Annotated[list[str] | None, typer.Option(
        "--scenario", help="Only this scenario key (repeatable); default: all 38 variants.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print exactly one JSON document.")] = False,
) -> None:
    """Rank and sample next states on the evaluation scenarios (or a trace): a per-scenario table or JSON."""
    import math

    from rich.progress import Progress

    import crafter_oo
    from engine import scenarios as S
    from engine.evaluate import METRICS, evaluate_transitions
    from engine.evaluate import evaluate as run_scenarios
    from engine.models import ModelLoadError, make_model

    if seed < 0:
        fail(f"--seed must be >= 0, got {seed}")
    if trials < 1:
        fail(f"--trials must be >= 1, got {trials}")
    if transitions is not None and scenario:
        fail("--scenario selects scenarios; it cannot be combined with --transitions")
    unknown = [key for key in scenario or [] if key not in S.BY_KEY]
    if unknown:
        fail(f"unknown scenario {unknown[0]!r}; see engine/scenarios.py or EVALUATION.md for the 38 keys")
    try:
        world_model = make_model(model, seed)
    except ModelLoadError as exc:
        fail(str(exc))
    trace = None
    if transitions is not None:
        try:
            trace = crafter_oo.read_trace(transitions)
        except crafter_oo.TraceError as exc:
            fail(str(exc))
    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(f"evaluating {world_model.name}", total=None)

        def progress(key: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"evaluating {world_model.name}: {key}")

        try:
            if trace is not None:
                results = evaluate_transitions(world_model, trace, seed, trials, source=str(transitions),
                                               progress=progress)
            else:
                chosen = [S.BY_KEY[key] for key in scenario] if scenario else None
                results = run_scenarios(world_model, seed, trials, chosen, progress=progress)
        except S.ScenarioError as exc:
            fail(str(exc), code=1)
    if json_output:
        out.print(results.to_json(), markup=False, soft_wrap=True)
        return

    def cell(value: float) -> str:
        return f"{value:.3f}" if math.isfinite(value) else "-" if math.isnan(value) else f"{value:g}"

    columns = {"rank1": "rank-1", "mrr": "MRR", "recall": "recall", "edit_normalized": "edit (norm.)",
               "iou": "IoU", "log_likelihood": "log-lik", "chance": "chance"}
    assert set(columns) <= set(METRICS)
    table = Table(title=f"model {results.model}, seed {seed}, {trials} trial(s), source {results.source}",
                  caption="means over trials (--json adds standard deviations); log-lik -inf (k%): the true "
                          "next state was ruled out in k% of transitions; TV: calibration per stochastic event")
    table.add_column(results.group_by, no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    for title in columns.values():
        table.add_column(title, justify="right", no_wrap=True)
    table.add_column("TV", justify="right", no_wrap=True)

    def row(name: str, n: str, means: dict[str, float], tv: str, style: str | None = None) -> None:
        cells = [cell(means[metric]) for metric in columns]
        if means["impossible"] > 0:
            cells[list(columns).index("log_likelihood")] += f" ({means['impossible']:.0%})"
        table.add_row(name, n, *cells, tv, style=style)

    for group in results.groups:
        tv = " ".join(cell(group.calibration(event)[0].mean) for event in group.events()) or "-"
        n = f"{sum(t.transitions for t in group.trials) / len(group.trials):g}"
        row(group.key, n, {m: group.summary(m).mean for m in METRICS}, tv)
    table.add_section()
    row("overall", "", {m: results.overall(m).mean for m in METRICS}, "", style="bold")
    wide = out if out.is_terminal else Console(highlight=False, width=160)  # a pipe is not cut to 80 columns
    wide.print(table)
    events = results.events()
    if events:
        calibration = Table(title="calibration: total variation against repeated true steps")
        for title in ("event", "TV", "floor (true vs true, same sample size)"):
            calibration.add_column(title, justify="left" if title == "event" else "right")
        for event in events:
            tv, floor = results.overall_calibration(event)
            calibration.add_row(event, cell(tv.mean), cell(floor.mean))
        wide.print(calibration)

# --------------------------------------------------------------------------- end of evaluate (issue 6)


# ------------------------------------------------------------------------------------------------------
# Sessions and exploration (issue 7): explore, sessions, export, laws. They share the --db option.
# ------------------------------------------------------------------------------------------------------

Db = Annotated[str | None, typer.Option(
    "--db", help="The session database (default: $LAWSMITH_DB, else ./lawsmith.db).", show_default=False)]
SessionId = Annotated[int, typer.Argument(help="A session id (see `lawsmith sessions`).", show_default=False)]


def _open_store(db: str | None, *, create: bool = False) -> Store:
    from engine.sessions import SessionError, Store

    try:
        return Store(db, create=create)
    except SessionError as exc:
        fail(str(exc))


def _explore_view(p: Progress) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 1))
    table.add_column(style="bold")
    table.add_column()
    state = "dead" if p.done else ("done" if p.finished else "exploring")
    table.add_row("session", f"{p.session} ({state}; resumed at step {p.resumed_from})" if p.resumed_from
                  else f"{p.session} ({state})")
    table.add_row("steps", f"{p.t} / {p.budget} (stored {p.committed})")
    table.add_row("vitals", "  ".join(f"{k} {v}" for k, v in p.vitals.items()))
    names = f": {', '.join(p.achievements)}" if p.achievements else ""
    table.add_row("achievements", f"{len(p.achievements)}{names}")
    table.add_row("laws so far", str(p.laws))
    return table


@app.command()
def explore(seed: Annotated[int | None, typer.Option("--seed", "-s", min=0, show_default=False,
                                                     help="World seed (>= 0); default 0.")] = None,
            steps: Annotated[int | None, typer.Option("--steps", "-n", min=0, show_default=False,
                                                      help="Step budget of the life; default 2000.")] = None,
            policy: Annotated[str | None, typer.Option("--policy", "-p", show_default=False,
                                                       help="random | novelty; default novelty.")] = None,
            session: Annotated[int | None, typer.Option("--session", show_default=False,
                                                        help="Continue this session (its seed, policy, budget).")
                               ] = None,
            db: Db = None) -> None:
    """Live one life until death or the budget, storing every step; prints the session id.

    Rerunning the same command resumes its unfinished session from the last stored step (a run that was
    killed loses nothing committed); once that life is over, the same command starts a new one.
    """
    from rich.live import Live
    from rich.text import Text

    from engine import explore as E
    from engine.policies import POLICIES
    from engine.sessions import SessionError

    if policy is not None and policy not in POLICIES:
        fail(f"--policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    with _open_store(db, create=session is None) as store:
        try:
            if session is not None:
                info = store.session(session)
                given = {"--seed": (seed, info.seed), "--steps": (steps, info.budget),
                         "--policy": (policy, info.policy)}
                clash = [f"{k} {v} (the session has {w})" for k, (v, w) in given.items() if v is not None and v != w]
                if clash:
                    fail(f"session {session} cannot be continued with {', '.join(clash)}; omit them to resume it")
                seed, steps, policy = info.seed, info.budget, info.policy
            latest: list[E.Progress] = []

            def show(progress: E.Progress) -> None:
                latest[:] = [progress]

            with Live(console=err, auto_refresh=True, refresh_per_second=4, transient=False,
                      get_renderable=lambda: _explore_view(latest[0]) if latest else Text("starting…")) as live:
                sid = E.explore(store, 0 if seed is None else seed, E.DEFAULT_STEPS if steps is None else steps,
                                policy or "novelty", session, on_step=show)
                live.refresh()
            if not err.is_terminal:
                err.line()  # Live leaves its last frame unterminated when it is not drawing on a terminal
        except SessionError as exc:
            fail(str(exc))
    out.print(str(sid))


@app.command()
def sessions(json_output: Annotated[bool, typer.Option("--json", help="Print exactly one JSON document.")] = False,
             db: Db = None) -> None:
    """List the sessions of a database: id, seed, policy, steps, status, achievements, created."""
    import json

    from engine.sessions import SessionError

    with _open_store(db) as store:
        try:
            infos = store.sessions()
        except SessionError as exc:
            fail(str(exc))
    if json_output:
        out.print(json.dumps([i.to_dict() for i in infos], sort_keys=True), markup=False, soft_wrap=True)
        return
    table = Table(title=f"{len(infos)} session(s) in {store.path}", box=None, title_justify="left")
    for column in ("id", "seed", "policy", "steps", "status", "achievements", "created"):
        table.add_column(column, justify="right" if column in ("id", "seed", "steps", "achievements") else "left",
                         no_wrap=True)
    for i in infos:
        status = f"{i.status}, died" if i.done else i.status
        table.add_row(str(i.id), str(i.seed), i.policy, f"{i.steps}/{i.budget}", status,
                      str(len(i.achievements)), i.created[:16].replace("T", " "))
    out.print(table)


@app.command()
def export(session: SessionId,
           output: Annotated[str, typer.Option("--output", "-o", help="The JSONL trace file to write.",
                                               show_default=False)],
           db: Db = None) -> None:
    """Write a session's transitions (t -> t+1 of its life) as a JSONL trace (`crafter_oo.read_trace` reads it)."""
    import crafter_oo
    from engine.sessions import SessionError

    with _open_store(db) as store:
        try:
            info = store.session(session)
            if info.steps == 0:
                fail(f"session {session} has no transitions yet (only its reset state); explore it first")
            count = crafter_oo.write_trace(output, store.transitions(session))
        except SessionError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror or exc}")
    err.print(f"wrote {count} transitions of session {session} to {output}", markup=False)


@app.command(name="laws")
def laws_command(session: SessionId,
                 version: Annotated[int | None, typer.Option("--version", "-v", min=1, show_default=False,
                                                             help="A law-set version (default: the latest).")
                                    ] = None,
                 db: Db = None) -> None:
    """Print a session's law set (latest or given version) in the law language, one law after another."""
    from engine.sessions import SessionError

    with _open_store(db) as store:
        try:
            law_set = store.law_set(session, version)
        except SessionError as exc:
            fail(str(exc))
    if law_set is None:
        err.print(f"lawsmith: session {session} has no law set yet", markup=False)
        raise typer.Exit(1)
    out.print(f"# session {session}, law set version {law_set.version} ({len(law_set.laws)} laws)"
              + (f": {law_set.note}" if law_set.note else ""), markup=False)
    out.print(law_set.text(), markup=False, end="")


# ------------------------------------------------------------------------------------------------------
# Learning and the whole pipeline (issue 7): learn, run.
# ------------------------------------------------------------------------------------------------------

ProposerOpt = Annotated[str, typer.Option("--proposer", help="Where candidate laws come from: symbolic | llm | both.")]
LlmReplay = Annotated[bool, typer.Option("--llm-replay", help="Answer LLM requests only from the cache "
                                         "(a miss is an error); never call out. Also LAWSMITH_LLM_REPLAY=1.")]
LlmConfigOpt = Annotated[str | None, typer.Option("--llm-config", help="A TOML file of LLM settings "
                                                  "(default: $LAWSMITH_LLM_CONFIG).", show_default=False)]


def _proposer(name: str, store: Store, replay: bool, config_path: str | None) -> object:
    """The learning loop's proposer for ``--proposer`` (None = symbolic); bad settings are usage errors."""
    from engine.propose.llm import PROPOSERS, LLMConfig, LLMConfigError, make_proposer

    if name not in PROPOSERS:
        fail(f"--proposer must be one of {', '.join(PROPOSERS)}, got {name!r}")
    if name == "symbolic":
        return None
    try:
        config = LLMConfig.load(config_path, replay=True if replay else None)
    except LLMConfigError as exc:
        fail(str(exc))
    if config.missing():
        fail(f"--proposer {name}: {config.missing()}")
    return make_proposer(name, store, config, say=lambda m: err.print(m, markup=False))


def _llm_line(llm: dict | None, proposer: object) -> str:
    """One line of LLM accounting for a summary ('' when no LLM proposer ran)."""
    if not llm:
        return ""
    line = (f"LLM ({llm['model']}): {llm['calls']} exchanges, {llm['prompt_tokens']} prompt + "
            f"{llm['completion_tokens']} completion tokens, cost {llm['cost']:.4f}")
    if proposer is not None and hasattr(proposer, "live_calls"):
        line += f" ({proposer.live_calls} from the server, {proposer.cached_calls} from the cache)"
    if llm["failures"]:
        line += f"; {len(llm['failures'])} failures, {llm['fallbacks']} rounds on the symbolic proposer"
    return line


@app.command()
def learn(session: SessionId, seed: Seed = 0,
          rounds: Annotated[int, typer.Option(min=1, help="At most this many propose-check-fit rounds.")] = 3,
          proposer: ProposerOpt = "symbolic", llm_replay: LlmReplay = False, llm_config: LlmConfigOpt = None,
          db: Db = None) -> None:
    """Learn a law set from a session's life: propose, check with Z3, fit, keep what helps on held-out steps."""
    from engine.learn import learn as learn_loop
    from engine.propose.llm import ReplayMissError
    from engine.sessions import SessionError

    with _open_store(db) as store:
        chosen = _proposer(proposer, store, llm_replay, llm_config)
        try:
            store.session(session)
            learned = learn_loop(store, session, seed, max_rounds=rounds, proposer=chosen, proposer_name=proposer,  # type: ignore[arg-type]
                                 progress=lambda m: err.print(m, markup=False))
        except ReplayMissError as exc:
            fail(str(exc), 1)
        except SessionError as exc:
            fail(str(exc))
        except ValueError as exc:
            fail(f"session {session}: {exc}")
    table = Table(title=f"session {session}: learning rounds", title_justify="left")
    for column in ("round", "proposed", "dropped (Z3)", "removed (held-out)", "laws", "held-out steps",
                   "held-out log-lik/step", "kept"):
        table.add_column(column)
    for r in learned.rounds:
        table.add_row(str(r.index), str(r.proposed), str(len(r.dropped)), str(len(r.removed)), str(r.kept),
                      str(r.judged), f"{r.held_out:.4f}", "yes" if r.accepted else "no")
    out.print(table)
    if _llm_line(learned.llm, chosen):
        out.print(_llm_line(learned.llm, chosen), markup=False)
    if learned.version is None:
        err.print(f"lawsmith: no law improved the held-out likelihood of session {session}", markup=False)
        raise typer.Exit(1)
    out.print(f"law set version {learned.version}: {len(learned.law_set.laws)} laws "
              f"(`lawsmith laws {session}` prints them)", markup=False)


@app.command(name="run")
def run_command(seed: Seed = 0,
                steps: Annotated[int, typer.Option("--steps", "-n", min=1, help="Step budget of the life.")] = 2000,
                policy: Annotated[str, typer.Option("--policy", "-p", help="random | novelty.")] = "novelty",
                trials: Annotated[int, typer.Option(min=1, help="Evaluation trials per scenario.")] = 5,
                json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
                proposer: ProposerOpt = "symbolic", llm_replay: LlmReplay = False, llm_config: LlmConfigOpt = None,
                db: Db = None) -> None:
    """The whole pipeline, offline: explore one life, learn its laws, evaluate them beside the baselines.

    Everything is saved in the session store; running the same command again resumes where it stopped.
    """
    import json

    from rich.live import Live
    from rich.text import Text

    from engine.pipeline import run_pipeline
    from engine.policies import POLICIES
    from engine.propose.llm import ReplayMissError
    from engine.sessions import SessionError

    if policy not in POLICIES:
        fail(f"--policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    with _open_store(db, create=True) as store:
        chosen = _proposer(proposer, store, llm_replay, llm_config)
        try:
            latest: list[Progress] = []
            with Live(console=err, auto_refresh=True, refresh_per_second=4, transient=True,
                      get_renderable=lambda: _explore_view(latest[0]) if latest else Text("starting…")):
                summary = run_pipeline(store, seed, steps, policy, trials,
                                       on_step=lambda p: latest.__setitem__(slice(None), [p]),
                                       say=lambda m: err.print(m, markup=False),
                                       proposer=chosen, proposer_name=proposer)  # type: ignore[arg-type]
        except ReplayMissError as exc:
            fail(str(exc), 1)
        except SessionError as exc:
            fail(str(exc))
    if json_output:
        doc = {"schema_version": 1, "session": summary.session, "law_set_version": summary.version,
               "steps": summary.steps, "laws": summary.laws, "encountered": summary.encountered,
               "results": {m: {"overall": d["overall"]["metrics"]} for m, d in summary.results.items()},
               "scenarios": {key: {m: {"mrr": c[0], "rank1": c[1]} for m, c in cells.items()}
                             for key, cells in summary.table()}}
        if summary.llm is not None:
            doc["llm"] = summary.llm
        out.print(json.dumps(doc, sort_keys=True), markup=False, soft_wrap=True)
        return
    models = list(summary.results)
    wide = out if out.is_terminal else Console(highlight=False, width=160)  # a pipe is not cut to 80 columns
    table = Table(title=f"session {summary.session}: {summary.steps} steps, {summary.laws} laws learned "
                        f"(version {summary.version}); MRR / rank-1 per scenario", title_justify="left")
    table.add_column("scenario")
    table.add_column("seen")
    for m in models:
        table.add_column(m, justify="right")
    for key, cells in summary.table():
        seen = "" if key == "overall" else ("yes" if summary.encountered.get(key) else "no")
        table.add_row(key, seen, *(f"{cells[m][0]:.2f} / {cells[m][1]:.2f}" if m in cells else "-" for m in models))
    wide.print(table)
    if _llm_line(summary.llm, chosen):
        wide.print(_llm_line(summary.llm, chosen), markup=False)


# ------------------------------------------------------------------------------------------------------
# The LLM exchange cache (issue 8): cache export, cache import.
# ------------------------------------------------------------------------------------------------------

cache_app = typer.Typer(no_args_is_help=True, help="The LLM exchange cache: share a run's exchanges for replay.")
app.add_typer(cache_app, name="cache")


@cache_app.command("export")
def cache_export(output: Annotated[str, typer.Option("--output", "-o", help="The JSON-lines file to write.")],
                 db: Db = None) -> None:
    """Write every cached LLM exchange (request, response, usage; no keys, no headers) as JSON lines."""
    from engine.propose.cache import export_calls

    with _open_store(db) as store:
        try:
            n = export_calls(store, output)
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror or exc}")
    out.print(f"exported {n} LLM exchanges to {output}", markup=False)


@cache_app.command("import")
def cache_import(file: Annotated[str, typer.Argument(help="A JSON-lines file from `lawsmith cache export`.")],
                 db: Db = None) -> None:
    """Add exchanges from an exported file to the cache (validated first; cached requests are kept)."""
    from engine.propose.cache import import_calls
    from engine.sessions import SessionError

    with _open_store(db, create=True) as store:
        try:
            added, known = import_calls(store, file)
        except SessionError as exc:
            fail(str(exc))
    out.print(f"imported {added} LLM exchanges ({known} already cached)", markup=False)


# ------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """The console script: runs the app, turning usage errors into one line and exit code 2."""
    try:
        result = app(args=argv, standalone_mode=False, prog_name="lawsmith")
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        return 130
    except typer.TyperException as exc:  # click's usage errors: bad option values, unknown commands
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        err.print(f"lawsmith: error: {message}", markup=False)
        return int(getattr(exc, "exit_code", 2))
    return int(result) if isinstance(result, int) else 0


def main_entry() -> NoReturn:
    sys.exit(main())


if __name__ == "__main__":
    main_entry()
