//! Tile and object operations (mirrors `crafter_oo/world.py`).
//!
//! These are the only functions that change where objects are, so the object map, the object arrays
//! and the chunk registry never disagree. Off-map reads give material `NONE` and no object; a removed
//! object's `move` reports success without moving, and its `remove` does nothing.

use crate::state::*;

/// What stands on a tile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occupant {
    Empty,
    Player,
    Object(usize),
}

#[inline]
pub fn inside(x: i32, y: i32) -> bool {
    (0..WIDTH as i32).contains(&x) && (0..HEIGHT as i32).contains(&y)
}

#[inline]
pub fn in_set(set: MatSet, material: u8) -> bool {
    set & (1 << material) != 0
}

#[inline]
pub fn distance(ax: i32, ay: i32, bx: i32, by: i32) -> i32 {
    (ax - bx).abs() + (ay - by).abs()
}

/// A unit step toward the target along the long (or short) axis; may be (0, 0).
#[inline]
pub fn toward(sx: i32, sy: i32, tx: i32, ty: i32, long_axis: bool) -> (i32, i32) {
    let (dx, dy) = (tx - sx, ty - sy);
    let pick_x = if long_axis { dx.abs() > dy.abs() } else { dx.abs() <= dy.abs() };
    if pick_x {
        (dx.signum(), 0)
    } else {
        (0, dy.signum())
    }
}

impl World {
    #[inline]
    pub fn mat_at(&self, x: i32, y: i32) -> u8 {
        if inside(x, y) {
            self.mat[tile(x, y)]
        } else {
            NONE
        }
    }

    #[inline]
    pub fn occupant(&self, x: i32, y: i32) -> Occupant {
        if !inside(x, y) {
            return Occupant::Empty;
        }
        match self.omap[tile(x, y)] {
            0 => Occupant::Empty,
            1 => Occupant::Player,
            code => Occupant::Object(code as usize - 2),
        }
    }

    /// Set a tile's material, keeping the chunk tallies current.
    #[inline]
    pub fn set_mat(&mut self, x: i32, y: i32, material: u8) {
        let t = tile(x, y);
        let old = self.mat[t];
        if old != material {
            let c = &mut self.counts[chunk_of(x, y)];
            c[old as usize] -= 1;
            c[material as usize] += 1;
            self.mat[t] = material;
        }
    }

    /// On the map, no object there, and a material the mover may enter.
    #[inline]
    pub fn is_free(&self, x: i32, y: i32, walkable: MatSet) -> bool {
        inside(x, y) && self.omap[tile(x, y)] == 0 && in_set(walkable, self.mat[tile(x, y)])
    }

    /// Register the chunk holding `(x, y)` on first touch.
    #[inline]
    pub fn touch_chunk(&mut self, x: i32, y: i32) {
        let c = chunk_of(x, y);
        if self.chunk_seen & (1 << c) == 0 {
            self.chunk_seen |= 1 << c;
            self.chunks.push(c as u8);
        }
    }

    /// Add a new object with the next id; returns its slot.
    pub fn add(&mut self, kind: u8, x: i32, y: i32, aux: i32, facing: u8) -> usize {
        let slot = self.objs.push(self.next_id, kind, x, y, START_HEALTH[kind as usize], aux, facing);
        self.next_id += 1;
        self.omap[tile(x, y)] = (slot + 2) as u16;
        self.touch_chunk(x, y);
        slot
    }

    pub fn remove(&mut self, slot: usize) {
        if !self.objs.alive[slot] {
            return;
        }
        self.objs.alive[slot] = false;
        self.omap[tile(self.objs.x[slot], self.objs.y[slot])] = 0;
        self.removed_any = true;
    }

    /// Try to move an object; a removed one does not move but reports success when the tile is free.
    pub fn move_obj(&mut self, slot: usize, dx: i32, dy: i32, walkable: MatSet) -> bool {
        let (x, y) = (self.objs.x[slot], self.objs.y[slot]);
        let (tx, ty) = (x + dx, y + dy);
        if !self.is_free(tx, ty, walkable) {
            return false;
        }
        if !self.objs.alive[slot] {
            return true;
        }
        self.omap[tile(tx, ty)] = self.omap[tile(x, y)];
        self.omap[tile(x, y)] = 0;
        self.objs.x[slot] = tx;
        self.objs.y[slot] = ty;
        self.touch_chunk(tx, ty);
        true
    }

    pub fn move_player(&mut self, dx: i32, dy: i32) -> bool {
        let (x, y) = (self.player.x, self.player.y);
        let (tx, ty) = (x + dx, y + dy);
        if !self.is_free(tx, ty, PLAYER_WALKABLE) {
            return false;
        }
        self.omap[tile(tx, ty)] = 1;
        self.omap[tile(x, y)] = 0;
        self.player.x = tx;
        self.player.y = ty;
        self.touch_chunk(tx, ty);
        true
    }

    /// Drop removed objects from the arrays (keeping creation order) and renumber the map.
    pub fn compact(&mut self) {
        if !self.removed_any {
            return;
        }
        self.removed_any = false;
        let o = &mut self.objs;
        let mut w = 0;
        for r in 0..o.id.len() {
            if !o.alive[r] {
                continue;
            }
            if w != r {
                o.id[w] = o.id[r];
                o.kind[w] = o.kind[r];
                o.x[w] = o.x[r];
                o.y[w] = o.y[r];
                o.health[w] = o.health[r];
                o.aux[w] = o.aux[r];
                o.facing[w] = o.facing[r];
                o.alive[w] = true;
                self.omap[tile(o.x[w], o.y[w])] = (w + 2) as u16;
            }
            w += 1;
        }
        o.id.truncate(w);
        o.kind.truncate(w);
        o.x.truncate(w);
        o.y.truncate(w);
        o.health.truncate(w);
        o.aux.truncate(w);
        o.facing.truncate(w);
        o.alive.truncate(w);
    }
}
