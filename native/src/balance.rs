//! Balancing (mirrors `crafter_oo/balance.py`): every 10th step each registered chunk may spawn or
//! despawn a zombie, skeleton and cow, chunks in first-touch order and a chunk's creatures in
//! creation order (the oracle's patch), so which creature despawns is reproducible.

use crate::state::*;
use crate::world::distance;

struct Rule {
    kind: u8,
    material: u8,
    spawn_dist: i32,
    despawn_dist: i32,
    p_spawn: f64,
    p_despawn: f64,
}

const RULES: [Rule; 3] = [
    Rule { kind: ZOMBIE, material: GRASS, spawn_dist: 6, despawn_dist: 0, p_spawn: 0.3, p_despawn: 0.4 },
    Rule { kind: SKELETON, material: PATH, spawn_dist: 7, despawn_dist: 7, p_spawn: 0.1, p_despawn: 0.1 },
    Rule { kind: COW, material: GRASS, spawn_dist: 5, despawn_dist: 5, p_spawn: 0.01, p_despawn: 0.1 },
];

/// (int(tmin), int(tmax)) for a rule, from the chunk's count of its material and the daylight.
fn targets(kind: u8, space: usize, light: f64) -> (i64, i64) {
    match kind {
        ZOMBIE => {
            let t = 3.5 - 3.0 * light;
            (if space < 50 { 0 } else { t as i64 }, t as i64)
        }
        SKELETON => (if space < 6 { 0 } else { 1 }, 2),
        _ => (if space < 30 { 0 } else { 1 }, (1.5 + light) as i64),
    }
}

pub fn balance(w: &mut World, light: f64) {
    // a chunk has at most 144 tiles, so at most 144 creatures of one kind
    let mut members = [0usize; CHUNK * CHUNK];
    for ci in 0..w.chunks.len() {
        let chunk = w.chunks[ci] as usize;
        let [xmin, xmax, ymin, ymax] = chunk_key(chunk).map(|v| v as i32);
        for rule in &RULES {
            // the chunk's live creatures of this kind, in creation order
            let mut n = 0usize;
            for slot in 0..w.objs.len() {
                if w.objs.alive[slot] && w.objs.kind[slot] == rule.kind && chunk_of(w.objs.x[slot], w.objs.y[slot]) == chunk {
                    members[n] = slot;
                    n += 1;
                }
            }
            let n = n as i64;
            let space = w.counts[chunk][rule.material as usize] as usize;
            let (tmin, tmax) = targets(rule.kind, space, light);
            let (px, py) = (w.player.x, w.player.y);
            if n < tmin && w.rng.uniform() < rule.p_spawn {
                let i = w.rng.randint(space as u64) as usize;
                let mut seen = 0;
                let mut pos = None;
                'scan: for x in xmin..xmax {
                    for y in ymin..ymax {
                        if w.mat[tile(x, y)] == rule.material {
                            if seen == i {
                                pos = Some((x, y));
                                break 'scan;
                            }
                            seen += 1;
                        }
                    }
                }
                if let Some((x, y)) = pos {
                    if w.omap[tile(x, y)] == 0 && distance(px, py, x, y) >= rule.spawn_dist {
                        w.add(rule.kind, x, y, 0, DOWN);
                    }
                }
            } else if n > tmax && w.rng.uniform() < rule.p_despawn {
                let victim = members[w.rng.randint(n as u64) as usize];
                if distance(px, py, w.objs.x[victim], w.objs.y[victim]) >= rule.despawn_dist {
                    w.remove(victim);
                }
            }
        }
    }
}
