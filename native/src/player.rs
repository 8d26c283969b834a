//! The player's update (mirrors `crafter_oo/player.py`), in Crafter's exact order:
//! read the facing tile, wake or keep sleeping, act, life stats, health, clamp, hurt check.

use crate::state::*;
use crate::world::{in_set, Occupant};

const NOOP: usize = 0;
const DO: usize = 5;
const SLEEP: usize = 6;

/// (material, required tool, item received, tile left behind, probability) for `do` on a material.
const COLLECT: [(u8, Option<usize>, usize, usize, u8, f64); 7] = [
    (TREE, None, WOOD, COLLECT_WOOD, GRASS, 1.0),
    (STONE, Some(WOOD_PICKAXE), I_STONE, COLLECT_STONE, PATH, 1.0),
    (COAL, Some(WOOD_PICKAXE), I_COAL, COLLECT_COAL, PATH, 1.0),
    (IRON, Some(STONE_PICKAXE), I_IRON, COLLECT_IRON, PATH, 1.0),
    (DIAMOND, Some(IRON_PICKAXE), I_DIAMOND, COLLECT_DIAMOND, PATH, 1.0),
    (WATER, None, DRINK, COLLECT_DRINK, WATER, 1.0),
    (GRASS, None, SAPLING, COLLECT_SAPLING, GRASS, 0.1),
];

/// make_<tool>: (tool, achievement, wood, stone, coal, iron, needs furnace); all need a table.
const MAKE: [(usize, usize, i32, i32, i32, i32, bool); 6] = [
    (WOOD_PICKAXE, MAKE_WOOD_PICKAXE, 1, 0, 0, 0, false),
    (STONE_PICKAXE, MAKE_STONE_PICKAXE, 1, 1, 0, 0, false),
    (IRON_PICKAXE, MAKE_IRON_PICKAXE, 1, 0, 1, 1, true),
    (WOOD_SWORD, MAKE_WOOD_SWORD, 1, 0, 0, 0, false),
    (STONE_SWORD, MAKE_STONE_SWORD, 1, 1, 0, 0, false),
    (IRON_SWORD, MAKE_IRON_SWORD, 1, 0, 1, 1, true),
];

pub fn player_update(w: &mut World, action: usize) {
    let (dx, dy) = DIRS[w.player.facing as usize];
    let (tx, ty) = (w.player.x + dx, w.player.y + dy);
    let material = w.mat_at(tx, ty);
    let target = w.occupant(tx, ty);
    let mut action = action;
    if w.player.sleeping {
        if w.player.inv[ENERGY] < ITEM_MAX {
            action = SLEEP;
        } else {
            w.player.sleeping = false;
            w.player.ach[WAKE_UP] += 1;
        }
    }
    match action {
        NOOP => {}
        1..=4 => {
            let dir = (action - 1) as u8;
            let (mx, my) = DIRS[dir as usize];
            w.player.facing = dir;
            w.move_player(mx, my);
            if w.mat_at(w.player.x, w.player.y) == LAVA {
                w.player.inv[HEALTH] = 0;
            }
        }
        DO => match target {
            Occupant::Object(slot) => do_object(w, slot),
            Occupant::Player => {}
            Occupant::Empty => collect(w, tx, ty, material),
        },
        SLEEP => {
            if w.player.inv[ENERGY] < ITEM_MAX {
                w.player.sleeping = true;
            }
        }
        7..=10 => place(w, action - 7, tx, ty, material, target),
        _ => make(w, action - 11),
    }
    life_stats(&mut w.player);
    health(&mut w.player);
    let p = &mut w.player;
    for v in p.inv.iter_mut() {
        *v = (*v).clamp(0, ITEM_MAX);
    }
    if p.inv[HEALTH] < p.last_health {
        p.sleeping = false;
    }
    p.last_health = p.inv[HEALTH];
}

fn damage(p: &Player) -> i32 {
    if p.inv[IRON_SWORD] > 0 {
        5
    } else if p.inv[STONE_SWORD] > 0 {
        3
    } else if p.inv[WOOD_SWORD] > 0 {
        2
    } else {
        1
    }
}

fn do_object(w: &mut World, slot: usize) {
    let kind = w.objs.kind[slot];
    match kind {
        PLANT if w.objs.aux[slot] > RIPE_AFTER => {
            w.objs.aux[slot] = 0;
            w.player.inv[FOOD] += 4;
            w.player.ach[EAT_PLANT] += 1;
        }
        ZOMBIE | SKELETON | COW => {
            let h = (w.objs.health[slot] - damage(&w.player)).max(0);
            w.objs.health[slot] = h;
            if h <= 0 {
                match kind {
                    ZOMBIE => w.player.ach[DEFEAT_ZOMBIE] += 1,
                    SKELETON => w.player.ach[DEFEAT_SKELETON] += 1,
                    _ => {
                        w.player.inv[FOOD] += 6;
                        w.player.ach[EAT_COW] += 1;
                        w.player.hunger2 = 0;
                    }
                }
            }
        }
        _ => {}
    }
}

fn collect(w: &mut World, tx: i32, ty: i32, material: u8) {
    if material == WATER {
        w.player.thirst2 = 0;
    }
    let Some(&(_, require, item, ach, leaves, probability)) = COLLECT.iter().find(|r| r.0 == material) else {
        return;
    };
    if let Some(tool) = require {
        if w.player.inv[tool] < 1 {
            return;
        }
    }
    w.set_mat(tx, ty, leaves);
    if w.rng.uniform() <= probability {
        w.player.inv[item] += 1;
        w.player.ach[ach] += 1;
    }
}

fn place(w: &mut World, which: usize, tx: i32, ty: i32, material: u8, target: Occupant) {
    if target != Occupant::Empty {
        return;
    }
    // stone, table, furnace, plant: (item used, amount, allowed materials, achievement)
    let (item, amount, allowed, ach) = match which {
        0 => (I_STONE, 1, ARROW_PASSABLE, PLACE_STONE),
        1 => (WOOD, 2, CREATURE_WALKABLE, PLACE_TABLE),
        2 => (I_STONE, 4, CREATURE_WALKABLE, PLACE_FURNACE),
        _ => (SAPLING, 1, mat_set(&[GRASS]), PLACE_PLANT),
    };
    if !in_set(allowed, material) || w.player.inv[item] < amount {
        return;
    }
    w.player.inv[item] -= amount;
    match which {
        0 => w.set_mat(tx, ty, STONE),
        1 => w.set_mat(tx, ty, TABLE),
        2 => w.set_mat(tx, ty, FURNACE),
        _ => {
            w.add(PLANT, tx, ty, 0, DOWN);
        }
    }
    w.player.ach[ach] += 1;
}

fn make(w: &mut World, which: usize) {
    let (x, y) = (w.player.x, w.player.y);
    // numpy's slice [x-1:x+2] is empty at x = 0 (it becomes [-1:2]), so crafting fails there.
    if x == 0 || y == 0 {
        return;
    }
    let (mut table, mut furnace) = (false, false);
    for nx in x - 1..(x + 2).min(WIDTH as i32) {
        for ny in y - 1..(y + 2).min(HEIGHT as i32) {
            let m = w.mat[tile(nx, ny)];
            table |= m == TABLE;
            furnace |= m == FURNACE;
        }
    }
    let (tool, ach, wood, stone, coal, iron, needs_furnace) = MAKE[which];
    if !table || (needs_furnace && !furnace) {
        return;
    }
    let inv = &mut w.player.inv;
    if inv[WOOD] < wood || inv[I_STONE] < stone || inv[I_COAL] < coal || inv[I_IRON] < iron {
        return;
    }
    inv[WOOD] -= wood;
    inv[I_STONE] -= stone;
    inv[I_COAL] -= coal;
    inv[I_IRON] -= iron;
    inv[tool] += 1;
    w.player.ach[ach] += 1;
}

/// Hunger, thirst and fatigue; the counters are doubled so sleeping's halves stay integers.
fn life_stats(p: &mut Player) {
    let rate = if p.sleeping { 1 } else { 2 };
    p.hunger2 += rate;
    if p.hunger2 > 50 {
        p.hunger2 = 0;
        p.inv[FOOD] -= 1;
    }
    p.thirst2 += rate;
    if p.thirst2 > 40 {
        p.thirst2 = 0;
        p.inv[DRINK] -= 1;
    }
    if p.sleeping {
        p.fatigue2 = (p.fatigue2 - 2).min(0);
    } else {
        p.fatigue2 += 2;
    }
    if p.fatigue2 < -20 {
        p.fatigue2 = 0;
        p.inv[ENERGY] += 1;
    }
    if p.fatigue2 > 60 {
        p.fatigue2 = 0;
        p.inv[ENERGY] -= 1;
    }
}

fn health(p: &mut Player) {
    let needs = p.inv[FOOD] > 0 && p.inv[DRINK] > 0 && (p.inv[ENERGY] > 0 || p.sleeping);
    if needs {
        p.recover2 += if p.sleeping { 4 } else { 2 };
    } else {
        p.recover2 -= if p.sleeping { 1 } else { 2 };
    }
    if p.recover2 > 50 {
        p.recover2 = 0;
        p.inv[HEALTH] = (p.inv[HEALTH] + 1).max(0);
    }
    if p.recover2 < -30 {
        p.recover2 = 0;
        p.inv[HEALTH] = (p.inv[HEALTH] - 1).max(0);
    }
}
