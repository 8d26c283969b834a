//! World generation (mirrors `crafter_oo/worldgen.py`): the episode seed, then Crafter's two passes.
//!
//! The noise fields carry no randomness, so each is evaluated only where the branch being taken reads
//! it; the uniform draws are made tile by tile in Crafter's order (x outer, y inner), only when the
//! condition to their left holds (Python's `and` stops early).

use crate::noise::OpenSimplex;
use crate::rng::Mt19937;
use crate::state::*;

const P1: u64 = 11_400_714_785_074_694_791;
const P2: u64 = 14_029_467_366_897_019_727;
const P5: u64 = 2_870_177_450_012_600_261;
/// CPython's modulus for integer hashes: `hash(n) == n % (2**61 - 1)` for `n >= 0`.
pub const HASH_MODULUS: u64 = (1 << 61) - 1;

/// CPython's `hash((a, b))` (xxHash-style, Python >= 3.8) for two non-negative int hashes.
pub fn tuple_hash(items: &[u64]) -> i64 {
    let mut acc = P5;
    for &h in items {
        acc = acc.wrapping_add(h.wrapping_mul(P2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(P1);
    }
    acc = acc.wrapping_add((items.len() as u64) ^ (P5 ^ 3_527_539));
    if acc == u64::MAX {
        return 1_546_275_796;
    }
    acc as i64
}

/// The seed of the episode's RandomState: `hash((seed, episode)) % (2**31 - 1)`.
/// Takes the two ints' hashes (`n % (2**61 - 1)` for non-negative ints).
pub fn world_seed(seed_hash: u64, episode_hash: u64) -> u32 {
    tuple_hash(&[seed_hash % HASH_MODULUS, episode_hash % HASH_MODULUS]).rem_euclid((1 << 31) - 1) as u32
}

/// `_simplex(x, y, z, {size: 1})`: one octave, weight 1, normalised by 1.
struct Fields {
    noise: OpenSimplex,
}

impl Fields {
    #[inline]
    fn one(&self, x: f64, y: f64, z: f64, size: f64) -> f64 {
        self.noise.noise3(x / size, y / size, z)
    }
}

/// The world `crafter.Env(seed)` builds on its `episode`-th reset; takes the seed's and the episode's
/// integer hashes (see `world_seed`) and the episode number to record.
pub fn generate(seed_hash: u64, episode_hash: u64, episode: i64) -> World {
    let rng = Mt19937::seeded(world_seed(seed_hash, episode_hash));
    let mut w = World::empty(rng, episode);
    let (px, py) = (w.player.x, w.player.y);
    w.omap[tile(px, py)] = 1;
    w.touch_chunk(px, py);
    let noise_seed = w.rng.randint((1 << 31) - 1) as i64;
    let f = Fields { noise: OpenSimplex::new(noise_seed) };
    let mut tunnels = vec![false; TILES];
    materials(&mut w, &f, &mut tunnels);
    w.recount();
    objects(&mut w, &tunnels);
    w
}

fn materials(w: &mut World, f: &Fields, tunnels: &mut [bool]) {
    let (px, py) = (w.player.x, w.player.y);
    for x in 0..WIDTH as i32 {
        for y in 0..HEIGHT as i32 {
            let (xf, yf) = (x as f64, y as f64);
            let d2 = ((x - px) * (x - px) + (y - py) * (y - py)) as f64;
            let mut start = 4.0 - d2.sqrt();
            start += 2.0 * f.one(xf, yf, 8.0, 3.0);
            start = 1.0 / (1.0 + (-start).exp());
            let material = if start > 0.5 {
                GRASS
            } else {
                let mut water = f.one(xf, yf, 3.0, 15.0) + 0.15 * f.one(xf, yf, 3.0, 5.0) + 0.1;
                water -= 2.0 * start;
                let mut mountain = (f.one(xf, yf, 0.0, 15.0) + 0.3 * f.one(xf, yf, 0.0, 5.0)) / (1.0 + 0.3);
                mountain -= 4.0 * start + 0.3 * water;
                if mountain > 0.15 {
                    if f.one(xf, yf, 6.0, 7.0) > 0.15 && mountain > 0.3 {
                        PATH
                    } else if f.noise.noise3((2.0 * xf) / 3.0, (yf / 5.0) / 3.0, 7.0) > 0.4
                        || f.noise.noise3((xf / 5.0) / 3.0, (2.0 * yf) / 3.0, 7.0) > 0.4
                    {
                        tunnels[tile(x, y)] = true;
                        PATH
                    } else if f.one(xf, yf, 1.0, 8.0) > 0.0 && w.rng.uniform() > 0.85 {
                        COAL
                    } else if f.one(xf, yf, 2.0, 6.0) > 0.4 && w.rng.uniform() > 0.75 {
                        IRON
                    } else if mountain > 0.18 && w.rng.uniform() > 0.994 {
                        DIAMOND
                    } else if mountain > 0.3 && f.one(xf, yf, 6.0, 5.0) > 0.35 {
                        LAVA
                    } else {
                        STONE
                    }
                } else if 0.25 < water && water <= 0.35 && f.one(xf, yf, 4.0, 9.0) > -0.2 {
                    SAND
                } else if 0.3 < water {
                    WATER
                } else if f.one(xf, yf, 5.0, 7.0) > 0.0 && w.rng.uniform() > 0.8 {
                    TREE
                } else {
                    GRASS
                }
            };
            w.mat[tile(x, y)] = material;
        }
    }
}

fn objects(w: &mut World, tunnels: &[bool]) {
    let (px, py) = (w.player.x, w.player.y);
    for x in 0..WIDTH as i32 {
        for y in 0..HEIGHT as i32 {
            let material = w.mat[tile(x, y)];
            if !crate::world::in_set(CREATURE_WALKABLE, material) {
                continue;
            }
            // squared Euclidean distance: sqrt(d2) > r iff d2 > r*r for these integers
            let far2 = (x - px) * (x - px) + (y - py) * (y - py);
            let kind = if far2 > 9 && material == GRASS && w.rng.uniform() > 0.985 {
                Some(COW)
            } else if far2 > 100 && w.rng.uniform() > 0.993 {
                Some(ZOMBIE)
            } else if material == PATH && tunnels[tile(x, y)] && w.rng.uniform() > 0.95 {
                Some(SKELETON)
            } else {
                None
            };
            if let Some(kind) = kind {
                w.add(kind, x, y, 0, DOWN);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuple_hash_vectors() {
        // CRAFTER.md section 7, and hash((123456789, 7)), hash((2**40, 3)) from CPython 3.11
        assert_eq!(world_seed(0, 1), 1_256_191_933);
        assert_eq!(world_seed(0, 2), 744_553_801);
        assert_eq!(world_seed(1, 1), 535_231_920);
        assert_eq!(tuple_hash(&[123_456_789, 7]), -6_988_299_678_121_503_527);
        assert_eq!(tuple_hash(&[1 << 40, 3]), 8_377_372_691_540_182_027);
    }

    #[test]
    fn generation_is_deterministic_and_plausible() {
        let a = generate(0, 1, 1);
        let b = generate(0, 1, 1);
        assert_eq!(a.mat, b.mat);
        assert_eq!(a.objs, b.objs);
        assert_eq!(a.rng, b.rng);
        assert_eq!(a.mat[tile(32, 32)], GRASS);
        assert!(a.objs.len() > 10);
        assert_eq!(a.chunks[0] as usize, chunk_of(32, 32));
    }
}
