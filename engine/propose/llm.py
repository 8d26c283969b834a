"""The LLM proposer: a language model proposes law text; the parser and Z3 keep only what holds.

It talks to any OpenAI-compatible chat endpoint with the ``openai`` client, asks for a JSON object
``{"laws": [{"text": ..., "why": ...}]}`` and treats the answer as untrusted input: bounded in size,
parsed as JSON, each law parsed and type-checked by ``laws.parse`` and checked with Z3 like any other
proposal (``engine.propose.vet``). Nothing in an answer is ever executed. A bad answer goes back with
the findings for repair a bounded number of times; what still fails is dropped with its reason.

Every exchange is cached in the session store under the hash of its request (``engine.propose.cache``),
and so are failures (timeouts, refused keys, garbage), so a replay (``replay=True``: never calls out,
a cache miss is an error) takes exactly the same path as the live run. When the model is of no use
(unreachable, wrong key, garbage after every repair) the round falls back to the symbolic proposer, so
the learning loop always completes. The API key is read from the environment variable the config
names; it is sent only as the client's header and never stored, logged or put in an error message.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import laws
from crafter_oo.trace import Transition
from engine.propose import cache, prompt
from engine.propose.proposal import Dropped, Proposal, Proposals
from engine.propose.vet import Draft, vet
from engine.sessions import Store, request_hash

log = logging.getLogger(__name__)

MAX_RESPONSE_CHARS = 200_000   # an answer longer than this is rejected before parsing
MAX_LAW_CHARS = 4_000          # one law's text
MAX_NOTE_CHARS = 200           # the model's "why", kept as the proposal's note
KEPT_WHEN_TOO_LONG = 2_000     # of an over-long answer, this much is cached (for the record)
ENV_PREFIX = "LAWSMITH_LLM_"
PROPOSERS = ("symbolic", "llm", "both")

ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["laws"],
    "properties": {"laws": {"type": "array", "items": {
        "type": "object", "additionalProperties": False, "required": ["text", "why"],
        "properties": {"text": {"type": "string"}, "why": {"type": "string"}}}}},
}


class LLMConfigError(ValueError):
    """A bad LLM configuration (unknown key in the file, a value of the wrong type, a key in the file)."""


class ReplayMissError(RuntimeError):
    """Replay mode met a request that is not in the cache: the run cannot be replayed from this store."""


@dataclass(frozen=True)
class LLMConfig:
    """Where and how to ask. Read by ``load`` from ``LAWSMITH_LLM_*`` variables and an optional TOML file.

    ``api_key_var`` names the environment variable holding the key (the key itself is never in a file).
    Prices are per million tokens, for the cost shown in summaries (0 = not counted)."""

    base_url: str = ""
    model: str = ""
    api_key_var: str = "OPENAI_API_KEY"
    timeout: float = 60.0
    max_retries: int = 2
    repair_rounds: int = 2
    max_laws: int = 8
    max_tokens: int = 2_000
    response_format: str = "json_object"     # or "json_schema" for servers with strict structured output
    replay: bool = False
    price_prompt: float = 0.0
    price_completion: float = 0.0

    @classmethod
    def load(cls, path: str | Path | None = None, environ: Mapping[str, str] | None = None,
             **overrides: Any) -> LLMConfig:
        """Defaults, then the TOML file (``path`` or ``$LAWSMITH_LLM_CONFIG``; keys at the top or under
        ``[llm]``), then ``LAWSMITH_LLM_<FIELD>`` variables, then ``overrides`` (not None)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        path = path or env.get(ENV_PREFIX + "CONFIG")
        if path:
            try:
                data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise LLMConfigError(f"cannot read the LLM config {path}: {exc}") from None
            data = data.get("llm", data) if isinstance(data.get("llm"), dict) else data
            if "api_key" in data:
                raise LLMConfigError(f"{path}: put the API key in an environment variable and name it with "
                                     "api_key_var; a key is never read from a file")
            values.update(data)
        for f in dataclasses.fields(cls):
            if ENV_PREFIX + f.name.upper() in env:
                values[f.name] = env[ENV_PREFIX + f.name.upper()]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls._typed(values)

    @classmethod
    def _typed(cls, values: dict[str, Any]) -> LLMConfig:
        fields = {f.name: f for f in dataclasses.fields(cls)}
        out: dict[str, Any] = {}
        for name, value in values.items():
            if name not in fields:
                raise LLMConfigError(f"unknown LLM setting {name!r} (known: {', '.join(fields)})")
            kind = type(fields[name].default)
            try:
                if kind is bool and isinstance(value, str):
                    out[name] = value.strip().lower() in ("1", "true", "yes", "on")
                else:
                    out[name] = kind(value)
            except (TypeError, ValueError):
                raise LLMConfigError(f"LLM setting {name} must be a {kind.__name__}, got {value!r}") from None
        config = cls(**out)
        if config.response_format not in ("json_object", "json_schema"):
            raise LLMConfigError("response_format must be json_object or json_schema")
        if config.timeout <= 0 or config.max_retries < 0 or config.repair_rounds < 0 or config.max_laws < 1:
            raise LLMConfigError("timeout must be > 0, max_retries and repair_rounds >= 0, max_laws >= 1")
        return config

    def missing(self) -> str:
        """Why this config cannot be used, or ''."""
        if not self.model:
            return f"no model configured (set {ENV_PREFIX}MODEL)"
        if not self.base_url and not self.replay:
            return f"no base URL configured (set {ENV_PREFIX}BASE_URL)"
        return ""


@dataclass
class Exchange:
    """One request of this proposer: its cache key, where the answer came from, tokens and outcome."""

    key: str
    source: str            # "live" | "cache"
    prompt_tokens: int
    completion_tokens: int
    outcome: str           # "ok", or what was wrong with the answer / the call


@dataclass
class Interpretation:
    """One answer, read: the surviving proposals and walkable declarations, the problems, the drops."""

    proposals: list[Proposal] = field(default_factory=list)
    walkable: tuple[laws.Walkable, ...] = ()
    problems: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


def _unfence(content: str) -> str:
    """A JSON object some models wrap in a Markdown code fence, without the fence."""
    text = content.strip()
    if text.startswith("```") and text.endswith("```"):
        lines = text.splitlines()
        return "\n".join(lines[1:-1])
    return text


def interpret(content: str, current: laws.LawSet | None, max_laws: int) -> Interpretation:
    """Read an answer: size, JSON, schema, then each law parsed, type-checked and checked with Z3 against
    ``current``. Every problem is a line the model can act on in a repair round."""
    out = Interpretation()
    if len(content) > MAX_RESPONSE_CHARS:
        out.problems.append(f"the answer is {len(content)} characters, over the limit of {MAX_RESPONSE_CHARS}")
        return out
    try:
        doc = json.loads(_unfence(content))
    except json.JSONDecodeError as exc:
        out.problems.append(f"the answer is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return out
    items = doc.get("laws") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        out.problems.append('wrong schema: expected an object {"laws": [{"text": "...", "why": "..."}]}')
        return out
    if len(items) > max_laws:
        out.problems.append(f"{len(items)} laws, over the limit of {max_laws}: only the first {max_laws} were read")
        items = items[:max_laws]
    taken = {x.name for x in current.laws} if current is not None else set()
    walk: dict[str, laws.Walkable] = {}
    drafts: list[Draft] = []
    for i, item in enumerate(items, 1):
        text = item.get("text") if isinstance(item, dict) else item
        why = item.get("why", "") if isinstance(item, dict) else ""
        label = f"law {i}"
        if not isinstance(text, str) or not text.strip():
            out.problems.append(f"{label}: expected an object with a \"text\" string")
            continue
        if len(text) > MAX_LAW_CHARS:
            out.problems.append(f"{label}: {len(text)} characters, over the limit of {MAX_LAW_CHARS}")
            out.dropped.append(Dropped(label, text[:200], "law text too long"))
            continue
        try:
            parsed = laws.parse(text)
        except laws.LawError as exc:
            out.problems.append(f"{label}: does not parse: {exc.one_line()}")
            out.dropped.append(Dropped(label, text, f"does not parse: {exc.one_line()}"))
            continue
        if len(parsed.laws) != 1:
            out.problems.append(f"{label}: expected exactly one law in a text, found {len(parsed.laws)}")
            out.dropped.append(Dropped(label, text, "not exactly one law"))
            continue
        law = parsed.laws[0]
        if law.name in taken:
            out.problems.append(f"{label}: the name {law.name} is already used; choose a new name")
            out.dropped.append(Dropped(law.name, text, "name already used"))
            continue
        taken.add(law.name)
        moves: set[str] = set()
        for w in parsed.walkable:
            for kind in w.kinds:
                walk.setdefault(kind, laws.Walkable((kind,), w.materials))
                moves.add(kind)
        note = " ".join(str(why).split())[:MAX_NOTE_CHARS] if isinstance(why, str) else ""
        drafts.append(Draft(law.name, laws.pretty(law), 0, 0, note or "proposed by the LLM", moves))
    walk_text = {k: laws.pretty(w) for k, w in walk.items()}
    walkable = tuple(walk[k] for k in sorted(walk))
    kept, dropped = vet(drafts, walk_text, walkable, current, max_laws)
    out.proposals = [dataclasses.replace(p, origin="llm") for p in kept]
    out.walkable = walkable
    for d in dropped:
        out.problems.append(f"law {d.name}: {d.reason}")
    out.dropped += dropped
    return out


def _client_error(exc: Exception, timeout: float, retries: int) -> dict[str, str]:
    """A failed call as a cacheable record. Only the error class and status code: a server's message may
    echo the key, so its text is never kept."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return {"error": "timeout", "detail": f"no answer within {timeout:g} s ({retries} retries)"}
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return {"error": "auth", "detail": f"the server refused the key (HTTP {exc.status_code})"}
    if isinstance(exc, openai.RateLimitError):
        return {"error": "rate_limited", "detail": f"HTTP 429 after {retries} retries"}
    if isinstance(exc, openai.APIStatusError):
        return {"error": "http", "detail": f"HTTP {exc.status_code}"}
    if isinstance(exc, openai.APIConnectionError):
        return {"error": "unreachable", "detail": "cannot connect to the server"}
    return {"error": "bad_response", "detail": f"the server's response is not a chat completion ({type(exc).__name__})"}


class LLMProposer:
    """A proposer with the symbolic proposer's signature: ``(transitions, current, seed=) -> Proposals``.

    ``mode`` "llm" uses the model's laws (the symbolic proposer only when the model is of no use);
    "both" adds the model's laws to the symbolic proposer's (a law of the same name or text is kept
    once, the symbolic one). ``report()`` is the deterministic accounting stored with the fit;
    ``live_calls`` / ``cached_calls`` say how many answers came from the server and from the cache.
    """

    def __init__(self, config: LLMConfig, store: Store, *, mode: str = "llm",
                 fallback: Callable[..., Proposals] | None = None, say: Callable[[str], None] | None = None) -> None:
        if mode not in ("llm", "both"):
            raise ValueError(f"mode must be llm or both, got {mode!r}")
        from engine.propose.symbolic import propose as symbolic

        self.config = config
        self.store = store
        self.mode = mode
        self.fallback = fallback or symbolic
        self.say = say or (lambda message: None)
        self.exchanges: list[Exchange] = []
        self.failures: list[str] = []
        self.fallbacks = 0
        self.dropped = 0
        self.disabled = config.missing()
        self._client: Any = None
        self._dropped: list[Dropped] = []   # the last call's dropped LLM laws, kept through a fallback

    # -- the proposer

    def __call__(self, transitions: Sequence[Transition], current: laws.LawSet | None = None, *,
                 seed: int = 0, max_laws: int = 200) -> Proposals:
        self._dropped: list[Dropped] = []
        llm = self._ask_model(transitions, current, seed)
        if self.mode == "llm" and llm is not None:
            return llm
        symbolic = self.fallback(transitions, current, seed=seed, max_laws=max_laws)
        if llm is None:   # the symbolic proposals, with what the model proposed and lost, for the record
            self.fallbacks += 1
            return Proposals(list(symbolic), walkable=symbolic.walkable, dropped=symbolic.dropped + self._dropped,
                             unexplained=symbolic.unexplained, seconds=symbolic.seconds,
                             evidence_summary=symbolic.evidence_summary)
        names = {p.law.name for p in symbolic}
        texts = {laws.pretty(p.law) for p in symbolic}
        extra = [p for p in llm if p.law.name not in names and laws.pretty(p.law) not in texts]
        declared = {k for w in symbolic.walkable for k in w.kinds}
        walkable = tuple(symbolic.walkable) + tuple(w for w in llm.walkable if not declared & set(w.kinds))
        return Proposals([*symbolic, *extra], walkable=walkable, dropped=symbolic.dropped + llm.dropped,
                         unexplained=symbolic.unexplained, seconds=symbolic.seconds,
                         evidence_summary=symbolic.evidence_summary)

    def _ask_model(self, transitions: Sequence[Transition], current: laws.LawSet | None,
                   seed: int) -> Proposals | None:
        """The model's proposals after up to ``repair_rounds`` repairs, or None if it was of no use."""
        if self.disabled:
            self._fail(f"LLM not used: {self.disabled}")
            return None
        messages = prompt.build_messages(transitions, current)
        best = Interpretation()
        dropped: list[Dropped] = []
        last_problem = ""
        clean = False
        for attempt in range(self.config.repair_rounds + 1):
            response = self._exchange(self._request(messages, seed))
            if "error" in response:
                reason = f"{response['error']}: {response.get('detail', '')}"
                if response["error"] in ("auth", "unreachable", "timeout", "rate_limited"):
                    self.disabled = reason   # no point asking again in this run
                self._fail(f"LLM call failed ({reason})")
                return self._usable(best, dropped)
            content = str(response.get("content", ""))
            if response.get("chars", len(content)) > MAX_RESPONSE_CHARS:
                content = "x" * (MAX_RESPONSE_CHARS + 1)   # only its length matters to interpret()
            answer = interpret(content, current, self.config.max_laws)
            dropped += [dataclasses.replace(d, reason=f"answer {attempt + 1}: {d.reason}") for d in answer.dropped]
            self.exchanges[-1].outcome = "; ".join(answer.problems)[:300] or "ok"
            if answer.proposals:
                best = answer
            clean = not answer.problems
            if clean:
                break
            last_problem = answer.problems[0]
            if attempt < self.config.repair_rounds:
                self.say(f"LLM answer {attempt + 1}: {len(answer.problems)} problems, asking for a repair")
                messages = prompt.repair_messages(messages, str(response.get("content", "")), answer.problems)
        if not best.proposals and clean:   # a clean answer with no laws: the model has nothing new
            self.dropped += len(dropped)
            return Proposals([], dropped=dropped)
        if not best.proposals:
            self._fail(f"no usable law from the LLM after {self.config.repair_rounds + 1} answers "
                       f"(last problem: {last_problem[:200]})")
        return self._usable(best, dropped)

    def _usable(self, best: Interpretation, dropped: list[Dropped]) -> Proposals | None:
        self.dropped += len(dropped)
        self._dropped = dropped
        if not best.proposals:
            return None
        return Proposals(list(best.proposals), walkable=best.walkable, dropped=dropped)

    def _fail(self, reason: str) -> None:
        self.failures.append(reason)
        self.say(reason + ("" if self.mode == "both" else "; using the symbolic proposer for this round"))
        log.warning("%s", reason)

    # -- requests, the cache, the client

    def _request(self, messages: list[dict[str, str]], seed: int) -> dict[str, Any]:
        """The request body, which is also the cache key: nothing volatile, no headers, no URL, no key."""
        if self.config.response_format == "json_schema":
            response_format: dict[str, Any] = {"type": "json_schema", "json_schema": {
                "name": "laws", "strict": True, "schema": ANSWER_SCHEMA}}
        else:
            response_format = {"type": "json_object"}
        return {"model": self.config.model, "messages": messages, "temperature": 0, "seed": seed,
                "max_tokens": self.config.max_tokens, "response_format": response_format}

    def _exchange(self, request: dict[str, Any]) -> dict[str, Any]:
        """The response to ``request``: from the cache, or (not in replay mode) from the server, cached."""
        key = request_hash(request)
        cached = self.store.llm_get(key)
        if cached is not None and (self.config.replay or "error" not in cached.response):
            response, usage, source = cached.response, cached.usage, "cache"
        elif self.config.replay:
            raise ReplayMissError(f"replay: request {key[:12]} is not in the LLM cache of {self.store.path} "
                             "(import the run's exchanges with `lawsmith cache import`, or run without replay)")
        else:
            response, usage = self._call(request)
            cache.put(self.store, request, response, usage, replace=cached is not None)
            source = "live"
        self.exchanges.append(Exchange(key, source, int(usage.get("prompt_tokens", 0)),
                                       int(usage.get("completion_tokens", 0)), str(response.get("error", "ok"))))
        return response

    def _call(self, request: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        import openai

        try:
            if self._client is None:
                self._client = openai.OpenAI(base_url=self.config.base_url,
                                             api_key=os.environ.get(self.config.api_key_var) or "not-set",
                                             max_retries=self.config.max_retries, timeout=self.config.timeout)
            completion = self._client.chat.completions.create(**request)
            choice = completion.choices[0]
            content = choice.message.content or ""
            usage = completion.usage
            tokens = {"prompt_tokens": int(getattr(usage, "prompt_tokens", 0) or 0),
                      "completion_tokens": int(getattr(usage, "completion_tokens", 0) or 0)}
            finish = str(choice.finish_reason) if choice.finish_reason is not None else None
        except Exception as exc:
            return _client_error(exc, self.config.timeout, self.config.max_retries), {}
        if not isinstance(content, str):
            return {"error": "bad_response", "detail": "the message content is not text"}, tokens
        kept = content if len(content) <= MAX_RESPONSE_CHARS else content[:KEPT_WHEN_TOO_LONG]
        return {"content": kept, "chars": len(content), "finish_reason": finish}, tokens

    # -- accounting

    def report(self) -> dict[str, Any]:
        """Tokens, cost and failures of this proposer's exchanges (the same in a live run and its replay)."""
        prompt_tokens = sum(e.prompt_tokens for e in self.exchanges)
        completion_tokens = sum(e.completion_tokens for e in self.exchanges)
        cost = (prompt_tokens * self.config.price_prompt + completion_tokens * self.config.price_completion) / 1e6
        return {"proposer": self.mode, "model": self.config.model, "calls": len(self.exchanges),
                "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "cost": round(cost, 6),
                "failures": list(self.failures), "fallbacks": self.fallbacks, "dropped": self.dropped}

    @property
    def live_calls(self) -> int:
        return sum(e.source == "live" for e in self.exchanges)

    @property
    def cached_calls(self) -> int:
        return sum(e.source == "cache" for e in self.exchanges)


def make_proposer(name: str, store: Store, config: LLMConfig | None = None,
                  say: Callable[[str], None] | None = None) -> Callable[..., Proposals] | None:
    """The proposer for ``--proposer NAME``: None for the default symbolic one, else an ``LLMProposer``."""
    if name not in PROPOSERS:
        raise ValueError(f"--proposer must be one of {', '.join(PROPOSERS)}, got {name!r}")
    if name == "symbolic":
        return None
    return LLMProposer(config or LLMConfig.load(), store, mode=name, say=say)


__all__ = ["PROPOSERS", "LLMConfig", "LLMConfigError", "LLMProposer", "ReplayMissError", "interpret", "make_proposer"]
