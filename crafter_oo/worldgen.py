"""World generation: Crafter's two passes over the map, bit for bit.

The noise fields carry no randomness of their own, so each is computed for the whole map at once with
``opensimplex`` (identical values to the per-tile calls Crafter makes); only the uniform draws, which
depend on the branch taken, are made tile by tile in Crafter's order (x outer, y inner).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import opensimplex

from crafter_oo import constants as C
from crafter_oo import rng as rng_mod
from crafter_oo.errors import CrafterOOError
from crafter_oo.state import Cow, Entity, Player, Skeleton, State, Zombie
from crafter_oo.world import add, touch_chunk

MAX_SEED = 2**31 - 1


def world_seed(seed: int, episode: int) -> int:
    """The seed of the episode's RandomState: CPython's tuple hash, reduced like Crafter does."""
    return hash((seed, episode)) % (2**31 - 1)


def check_seed(seed: object, episode: object) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise CrafterOOError(f"seed must be an integer, got {seed!r}")
    if seed < 0:
        raise CrafterOOError(f"seed must be >= 0, got {seed}")
    if isinstance(episode, bool) or not isinstance(episode, int | np.integer) or episode < 1:
        raise CrafterOOError(f"episode counts from 1, got {episode!r}")


class _Noise:
    """Crafter's ``_simplex(x, y, z, sizes, normalize)`` over the whole map, as [x, y] arrays."""

    def __init__(self, simplex: opensimplex.OpenSimplex, area: tuple[int, int]) -> None:
        self.simplex = simplex
        self.xs = np.arange(area[0])
        self.ys = np.arange(area[1])

    def field(self, z: float, sizes: dict[float, float], normalize: bool = True,
              xs: np.ndarray | None = None, ys: np.ndarray | None = None) -> np.ndarray:
        xs = self.xs if xs is None else xs
        ys = self.ys if ys is None else ys
        value: np.ndarray | float = 0
        for size, weight in sizes.items():
            noise = self.simplex.noise3array(xs / size, ys / size, np.array([float(z)]))[0].T
            value = value + weight * noise
        if normalize:
            value = value / sum(sizes.values())
        return np.asarray(value, dtype=np.float64)


@contextmanager
def _one_noise_thread() -> Iterator[None]:
    """opensimplex evaluates arrays in a numba ``prange``; for a 64x64 field the threads cost more than
    they save (5x slower on a busy 2-core machine), so the noise runs on this thread alone."""
    try:
        import numba
    except ImportError:
        yield
        return
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def generate(seed: int, episode: int = 1) -> State:
    """The world ``crafter.Env(seed=seed)`` builds on its ``episode``-th reset."""
    with _one_noise_thread():
        return _generate(seed, episode)


def _generate(seed: int, episode: int) -> State:
    check_seed(seed, episode)
    seed, episode = int(seed), int(episode)
    area = C.DEFAULT_AREA
    gen = np.random.RandomState(world_seed(seed, episode))
    player = Player(pos=(area[0] // 2, area[1] // 2))
    materials = np.zeros(area, np.uint8)
    state = State(materials=materials, player=player, objects={}, next_id=2, chunks=[], step=0,
                  seed=seed, episode=episode, rng=rng_mod.seeded(0))
    touch_chunk(state, player.pos)
    simplex = opensimplex.OpenSimplex(seed=int(gen.randint(0, 2**31 - 1)))
    tunnels = _materials(state, _Noise(simplex, area), gen)
    _objects(state, tunnels, gen)
    state.rng = rng_mod.from_generator(gen)
    return state


def _materials(state: State, noise: _Noise, gen: np.random.RandomState) -> np.ndarray:
    px, py = state.player.pos
    start_noise = noise.field(8, {3: 1})
    water_noise = noise.field(3, {15: 1, 5: 0.15}, normalize=False)
    mountain_noise = noise.field(0, {15: 1, 5: 0.3})
    cave = noise.field(6, {7: 1})
    horizontal = noise.field(7, {3: 1}, xs=2 * noise.xs, ys=noise.ys / 5)
    vertical = noise.field(7, {3: 1}, xs=noise.xs / 5, ys=2 * noise.ys)
    coal, iron = noise.field(1, {8: 1}), noise.field(2, {6: 1})
    lava, sand, tree = noise.field(6, {5: 1}), noise.field(4, {9: 1}), noise.field(5, {7: 1})
    uniform = gen.uniform
    width, height = state.area
    grid = state.materials
    tunnels = np.zeros((width, height), bool)
    for x in range(width):
        for y in range(height):
            start = 4 - np.sqrt((x - px) ** 2 + (y - py) ** 2)
            start += 2 * start_noise[x, y]
            start = 1 / (1 + np.exp(-start))
            water = water_noise[x, y] + 0.1
            water -= 2 * start
            mountain = mountain_noise[x, y]
            mountain -= 4 * start + 0.3 * water
            if start > 0.5:
                material = C.GRASS
            elif mountain > 0.15:
                if cave[x, y] > 0.15 and mountain > 0.3:
                    material = C.PATH
                elif horizontal[x, y] > 0.4 or vertical[x, y] > 0.4:
                    material = C.PATH
                    tunnels[x, y] = True
                elif coal[x, y] > 0 and uniform() > 0.85:
                    material = C.COAL
                elif iron[x, y] > 0.4 and uniform() > 0.75:
                    material = C.IRON
                elif mountain > 0.18 and uniform() > 0.994:
                    material = C.DIAMOND
                elif mountain > 0.3 and lava[x, y] > 0.35:
                    material = C.LAVA
                else:
                    material = C.STONE
            elif 0.25 < water <= 0.35 and sand[x, y] > -0.2:
                material = C.SAND
            elif water > 0.3:
                material = C.WATER
            elif tree[x, y] > 0 and uniform() > 0.8:
                material = C.TREE
            else:
                material = C.GRASS
            grid[x, y] = material
    return tunnels


def _objects(state: State, tunnels: np.ndarray, gen: np.random.RandomState) -> None:
    px, py = state.player.pos
    uniform = gen.uniform
    grid = state.materials
    width, height = state.area
    for x in range(width):
        for y in range(height):
            material = int(grid[x, y])
            if material not in C.CREATURE_WALKABLE:
                continue
            far2 = (x - px) ** 2 + (y - py) ** 2  # squared Euclidean: sqrt(d2) > r iff d2 > r*r
            entity: Entity | None = None
            if far2 > 9 and material == C.GRASS and uniform() > 0.985:
                entity = Cow(state.next_id, (x, y), C.START_HEALTH["cow"])
            elif far2 > 100 and uniform() > 0.993:
                entity = Zombie(state.next_id, (x, y), C.START_HEALTH["zombie"])
            elif material == C.PATH and tunnels[x, y] and uniform() > 0.95:
                entity = Skeleton(state.next_id, (x, y), C.START_HEALTH["skeleton"])
            if entity is not None:
                add(state, entity)
