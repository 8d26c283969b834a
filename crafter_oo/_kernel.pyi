"""Type stubs for the native kernel (built from ``native/`` by maturin). Use it through
``crafter_oo.native``, which converts States and validates input; these are the raw entry points.

A world crosses as ``KernelArrays``: materials uint8[64, 64] (indexed [x, y]); player int64[48]
(pos 2, facing 2, inventory 16 in HUD order, achievements 22 in Crafter's order, sleeping, hunger,
thirst, fatigue and recover doubled, last_health); objects int64[n, 8] (id, kind 0..4 = cow, zombie,
skeleton, arrow, plant, x, y, health, cooldown/reload/grown, facing x, facing y) in creation order;
chunks int64[k, 4] in first-touch order; meta int64[5] (step, episode, next_id, length, last_health);
the MT19937 key uint32[624]; and its position. Invalid arrays raise ValueError.
"""

from typing import Final

import numpy as np
import numpy.typing as npt

KernelArrays = tuple[
    npt.NDArray[np.uint8], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64],
    npt.NDArray[np.int64], npt.NDArray[np.uint32], int,
]

PLAYER_LEN: Final[int]
OBJECT_COLS: Final[int]
META_LEN: Final[int]

def version() -> str:
    """The crate version."""

def reset(seed_hash: int, episode_hash: int, episode: int) -> KernelArrays:
    """Generate the world of ``(seed, episode)``, given both ints' hashes (``n % (2**61 - 1)``)."""

def step_one(
    materials: npt.NDArray[np.uint8], player: npt.NDArray[np.int64], objects: npt.NDArray[np.int64],
    chunks: npt.NDArray[np.int64], meta: npt.NDArray[np.int64], rng_key: npt.NDArray[np.uint32],
    rng_pos: int, action: int, daylight: float, render_noise: bool = False,
) -> tuple[KernelArrays, float, bool]:
    """One step of a world given as arrays; ``daylight`` is ``daylight_at(step + 1)``."""

def roundtrip(
    materials: npt.NDArray[np.uint8], player: npt.NDArray[np.int64], objects: npt.NDArray[np.int64],
    chunks: npt.NDArray[np.int64], meta: npt.NDArray[np.int64], rng_key: npt.NDArray[np.uint32],
    rng_pos: int,
) -> KernelArrays:
    """Validate arrays into a kernel world and export it again."""

class Batch:
    """Worlds stepped together on a dedicated rayon pool; each world has its own random stream."""

    def __init__(self, seed_hashes: npt.NDArray[np.uint64], episodes: npt.NDArray[np.int64],
                 threads: int) -> None: ...
    def __len__(self) -> int: ...
    @property
    def threads(self) -> int: ...
    def set_daylight(self, table: npt.NDArray[np.float64]) -> None:
        """``daylight_at(s)`` for s = 0..len; steps beyond the table raise."""
    def daylight_len(self) -> int: ...
    def max_step(self) -> int: ...
    def steps(self) -> npt.NDArray[np.int64]: ...
    def episodes(self) -> npt.NDArray[np.int64]: ...
    def dones(self) -> npt.NDArray[np.bool_]: ...
    def step(self, actions: npt.NDArray[np.int64],
             render_noise: bool = False) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]: ...
    def reset_done(self) -> npt.NDArray[np.bool_]: ...
    def rollout(self, actions: npt.NDArray[np.int64], render_noise: bool = False,
                auto_reset: bool = False) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]: ...
    def export(self, i: int) -> KernelArrays: ...
    def nbytes(self) -> int: ...
