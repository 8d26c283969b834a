//! What each non-player object does in its update (mirrors `crafter_oo/creatures.py`).
//!
//! Quirks kept on purpose (CRAFTER.md section 8): a creature at health 0 removes itself and then runs
//! the rest of its update, drawing random numbers, attacking and even shooting; a removed object's
//! move reports success without moving.

use crate::state::*;
use crate::world::{distance, in_set, toward, Occupant};

#[inline]
fn random_dir(w: &mut World) -> (i32, i32) {
    DIRS[w.rng.randint(4) as usize]
}

pub fn update(w: &mut World, slot: usize) {
    match w.objs.kind[slot] {
        COW => cow(w, slot),
        ZOMBIE => zombie(w, slot),
        SKELETON => skeleton(w, slot),
        ARROW => arrow(w, slot),
        _ => plant(w, slot),
    }
}

fn cow(w: &mut World, slot: usize) {
    if w.objs.health[slot] <= 0 {
        w.remove(slot);
    }
    if w.rng.uniform() < 0.5 {
        let (dx, dy) = random_dir(w);
        w.move_obj(slot, dx, dy, CREATURE_WALKABLE);
    }
}

fn zombie(w: &mut World, slot: usize) {
    if w.objs.health[slot] <= 0 {
        w.remove(slot);
    }
    let (px, py) = (w.player.x, w.player.y);
    let (x, y) = (w.objs.x[slot], w.objs.y[slot]);
    let (dx, dy) = if distance(x, y, px, py) <= 8 && w.rng.uniform() < 0.9 {
        let long = w.rng.uniform() < 0.8;
        toward(x, y, px, py, long)
    } else {
        random_dir(w)
    };
    w.move_obj(slot, dx, dy, CREATURE_WALKABLE);
    let (x, y) = (w.objs.x[slot], w.objs.y[slot]);
    if distance(x, y, px, py) <= 1 {
        if w.objs.aux[slot] != 0 {
            w.objs.aux[slot] -= 1;
        } else {
            let damage = if w.player.sleeping { 7 } else { 2 };
            w.player.inv[HEALTH] = (w.player.inv[HEALTH] - damage).max(0);
            w.objs.aux[slot] = 5;
        }
    }
}

fn skeleton(w: &mut World, slot: usize) {
    if w.objs.health[slot] <= 0 {
        w.remove(slot);
    }
    w.objs.aux[slot] = (w.objs.aux[slot] - 1).max(0);
    let (px, py) = (w.player.x, w.player.y);
    let (x, y) = (w.objs.x[slot], w.objs.y[slot]);
    let dist = distance(x, y, px, py); // not recomputed after a retreat
    if dist <= 3 {
        let long = w.rng.uniform() < 0.6;
        let (dx, dy) = toward(x, y, px, py, long);
        if w.move_obj(slot, -dx, -dy, CREATURE_WALKABLE) {
            return;
        }
    }
    let (x, y) = (w.objs.x[slot], w.objs.y[slot]);
    if dist <= 5 && w.rng.uniform() < 0.5 {
        let (dx, dy) = toward(x, y, px, py, true);
        shoot(w, slot, dx, dy);
    } else if dist <= 8 && w.rng.uniform() < 0.3 {
        let long = w.rng.uniform() < 0.6;
        let (dx, dy) = toward(x, y, px, py, long);
        w.move_obj(slot, dx, dy, CREATURE_WALKABLE);
    } else if w.rng.uniform() < 0.2 {
        let (dx, dy) = random_dir(w);
        w.move_obj(slot, dx, dy, CREATURE_WALKABLE);
    }
}

fn shoot(w: &mut World, slot: usize, dx: i32, dy: i32) {
    if w.objs.aux[slot] > 0 || (dx, dy) == (0, 0) {
        return;
    }
    let (tx, ty) = (w.objs.x[slot] + dx, w.objs.y[slot] + dy);
    if w.is_free(tx, ty, ARROW_PASSABLE) {
        let facing = crate::state::dir_index(dx as i64, dy as i64).unwrap_or(DOWN);
        w.add(ARROW, tx, ty, 0, facing);
        w.objs.aux[slot] = 4;
    }
}

fn arrow(w: &mut World, slot: usize) {
    let (dx, dy) = DIRS[w.objs.facing[slot] as usize];
    let (tx, ty) = (w.objs.x[slot] + dx, w.objs.y[slot] + dy);
    let material = w.mat_at(tx, ty);
    match w.occupant(tx, ty) {
        Occupant::Player => {
            w.player.inv[HEALTH] = (w.player.inv[HEALTH] - 2).max(0);
            w.remove(slot);
        }
        Occupant::Object(other) => {
            w.objs.health[other] = (w.objs.health[other] - 2).max(0);
            w.remove(slot);
        }
        Occupant::Empty => {
            if !in_set(ARROW_PASSABLE, material) {
                w.remove(slot);
                if material == TABLE || material == FURNACE {
                    w.set_mat(tx, ty, PATH);
                }
            } else {
                w.move_obj(slot, dx, dy, ARROW_PASSABLE);
            }
        }
    }
}

fn plant(w: &mut World, slot: usize) {
    w.objs.aux[slot] += 1;
    let (x, y) = (w.objs.x[slot], w.objs.y[slot]);
    for (dx, dy) in DIRS {
        if let Occupant::Object(other) = w.occupant(x + dx, y + dy) {
            if matches!(w.objs.kind[other], ZOMBIE | SKELETON | COW) {
                w.objs.health[slot] = (w.objs.health[slot] - 1).max(0);
                break;
            }
        }
    }
    if w.objs.health[slot] <= 0 {
        w.remove(slot);
    }
}
