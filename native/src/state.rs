//! The full state of one world, as flat arrays (mirrors `crafter_oo/state.py`).
//!
//! Objects are a struct of arrays in creation order: a slot's position in the arrays is its place in
//! Crafter's object list, so iterating slots is iterating creation order. Removed objects keep their
//! slot (flagged dead) until the end of the step, then the arrays are compacted; ids stay stable.
//! The object map holds `0` for empty, `1` for the player and `slot + 2` for an object. Each world
//! carries its own random stream, so worlds never share state and a batch's results do not depend on
//! how many threads step it.

use crate::rng::Mt19937;

pub const WIDTH: usize = 64;
pub const HEIGHT: usize = 64;
pub const TILES: usize = WIDTH * HEIGHT;
pub const CHUNK: usize = 12;
pub const CHUNKS_X: usize = WIDTH.div_ceil(CHUNK);
pub const CHUNKS_Y: usize = HEIGHT.div_ceil(CHUNK);
pub const N_CHUNKS: usize = CHUNKS_X * CHUNKS_Y;

// Material ids (uint8 map); 0 is "none", which is also what off-map reads return.
pub const NONE: u8 = 0;
pub const WATER: u8 = 1;
pub const GRASS: u8 = 2;
pub const STONE: u8 = 3;
pub const PATH: u8 = 4;
pub const SAND: u8 = 5;
pub const TREE: u8 = 6;
pub const LAVA: u8 = 7;
pub const COAL: u8 = 8;
pub const IRON: u8 = 9;
pub const DIAMOND: u8 = 10;
pub const TABLE: u8 = 11;
pub const FURNACE: u8 = 12;
pub const N_MATERIALS: usize = 13;

/// Sets of materials as bit masks (bit i = material i); material 0 is in none of them.
pub type MatSet = u16;
pub const fn mat_set(ids: &[u8]) -> MatSet {
    let mut mask = 0u16;
    let mut i = 0;
    while i < ids.len() {
        mask |= 1 << ids[i];
        i += 1;
    }
    mask
}
pub const CREATURE_WALKABLE: MatSet = mat_set(&[GRASS, SAND, PATH]);
pub const PLAYER_WALKABLE: MatSet = mat_set(&[GRASS, SAND, PATH, LAVA]);
pub const ARROW_PASSABLE: MatSet = mat_set(&[GRASS, SAND, PATH, WATER, LAVA]);

// Object kinds, in the order of `crafter_oo.state.ENTITY_TYPES`.
pub const COW: u8 = 0;
pub const ZOMBIE: u8 = 1;
pub const SKELETON: u8 = 2;
pub const ARROW: u8 = 3;
pub const PLANT: u8 = 4;
pub const N_KINDS: u8 = 5;

/// Directions as (dx, dy), indexed like Crafter's `random_dir`: left, right, up, down.
pub const DIRS: [(i32, i32); 4] = [(-1, 0), (1, 0), (0, -1), (0, 1)];
pub const DOWN: u8 = 3;

pub fn dir_index(dx: i64, dy: i64) -> Option<u8> {
    DIRS.iter().position(|&(x, y)| x as i64 == dx && y as i64 == dy).map(|i| i as u8)
}

// Inventory slots (HUD order) and achievements (alphabetical, as Crafter lists them).
pub const N_ITEMS: usize = 16;
pub const HEALTH: usize = 0;
pub const FOOD: usize = 1;
pub const DRINK: usize = 2;
pub const ENERGY: usize = 3;
pub const SAPLING: usize = 4;
pub const WOOD: usize = 5;
pub const I_STONE: usize = 6;
pub const I_COAL: usize = 7;
pub const I_IRON: usize = 8;
pub const I_DIAMOND: usize = 9;
pub const WOOD_PICKAXE: usize = 10;
pub const STONE_PICKAXE: usize = 11;
pub const IRON_PICKAXE: usize = 12;
pub const WOOD_SWORD: usize = 13;
pub const STONE_SWORD: usize = 14;
pub const IRON_SWORD: usize = 15;
pub const ITEM_MAX: i32 = 9;

pub const N_ACH: usize = 22;
pub const COLLECT_COAL: usize = 0;
pub const COLLECT_DIAMOND: usize = 1;
pub const COLLECT_DRINK: usize = 2;
pub const COLLECT_IRON: usize = 3;
pub const COLLECT_SAPLING: usize = 4;
pub const COLLECT_STONE: usize = 5;
pub const COLLECT_WOOD: usize = 6;
pub const DEFEAT_SKELETON: usize = 7;
pub const DEFEAT_ZOMBIE: usize = 8;
pub const EAT_COW: usize = 9;
pub const EAT_PLANT: usize = 10;
pub const MAKE_IRON_PICKAXE: usize = 11;
pub const MAKE_IRON_SWORD: usize = 12;
pub const MAKE_STONE_PICKAXE: usize = 13;
pub const MAKE_STONE_SWORD: usize = 14;
pub const MAKE_WOOD_PICKAXE: usize = 15;
pub const MAKE_WOOD_SWORD: usize = 16;
pub const PLACE_FURNACE: usize = 17;
pub const PLACE_PLANT: usize = 18;
pub const PLACE_STONE: usize = 19;
pub const PLACE_TABLE: usize = 20;
pub const WAKE_UP: usize = 21;

pub const N_ACTIONS: usize = 17;
pub const UPDATE_RADIUS: i32 = 18;
pub const RIPE_AFTER: i32 = 300;
/// Words a stock 64-px night render draws: 3087 uniforms of two words each.
pub const NIGHT_RENDER_WORDS: usize = 2 * 3087;

pub const START_HEALTH: [i32; 5] = [3, 5, 3, 0, 1];

/// The player. The four hidden counters are halves after sleeping, so they are stored doubled.
#[derive(Clone, Debug, PartialEq)]
pub struct Player {
    pub x: i32,
    pub y: i32,
    pub facing: u8,
    pub inv: [i32; N_ITEMS],
    pub ach: [i64; N_ACH],
    pub sleeping: bool,
    pub hunger2: i64,
    pub thirst2: i64,
    pub fatigue2: i64,
    pub recover2: i64,
    pub last_health: i32,
}

impl Player {
    pub fn new(x: i32, y: i32) -> Self {
        let mut inv = [0; N_ITEMS];
        inv[HEALTH] = 9;
        inv[FOOD] = 9;
        inv[DRINK] = 9;
        inv[ENERGY] = 9;
        Player {
            x,
            y,
            facing: DOWN,
            inv,
            ach: [0; N_ACH],
            sleeping: false,
            hunger2: 0,
            thirst2: 0,
            fatigue2: 0,
            recover2: 0,
            last_health: 9,
        }
    }
}

/// Non-player objects in creation order, one array per field. `aux` is the kind's own counter:
/// a zombie's cooldown, a skeleton's reload, a plant's growth (unused for cows and arrows).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Objects {
    pub id: Vec<i64>,
    pub kind: Vec<u8>,
    pub x: Vec<i32>,
    pub y: Vec<i32>,
    pub health: Vec<i32>,
    pub aux: Vec<i32>,
    pub facing: Vec<u8>,
    pub alive: Vec<bool>,
}

impl Objects {
    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    #[allow(clippy::too_many_arguments)]
    pub fn push(&mut self, id: i64, kind: u8, x: i32, y: i32, health: i32, aux: i32, facing: u8) -> usize {
        self.id.push(id);
        self.kind.push(kind);
        self.x.push(x);
        self.y.push(y);
        self.health.push(health);
        self.aux.push(aux);
        self.facing.push(facing);
        self.alive.push(true);
        self.id.len() - 1
    }

    /// Heap bytes held (capacity, not length), for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.id.capacity() * 8
            + self.kind.capacity()
            + (self.x.capacity() + self.y.capacity() + self.health.capacity() + self.aux.capacity()) * 4
            + self.facing.capacity()
            + self.alive.capacity()
    }
}

/// One world: everything the next step depends on.
#[derive(Clone, Debug)]
pub struct World {
    /// Materials, indexed `x * HEIGHT + y` (the layout of a C-ordered `[x, y]` numpy array).
    pub mat: Vec<u8>,
    /// 0 empty, 1 the player, `slot + 2` an object.
    pub omap: Vec<u16>,
    pub objs: Objects,
    pub player: Player,
    /// The chunk registry: chunk indices (`cx * CHUNKS_Y + cy`) in first-touch order.
    pub chunks: Vec<u8>,
    pub chunk_seen: u64,
    /// How many tiles of each material each chunk holds, kept current so balancing is O(1).
    pub counts: Vec<[u8; N_MATERIALS]>,
    pub next_id: i64,
    pub step: i64,
    pub episode: i64,
    pub length: i64,
    pub last_health: i32,
    pub rng: Mt19937,
    pub removed_any: bool,
}

#[inline]
pub fn tile(x: i32, y: i32) -> usize {
    x as usize * HEIGHT + y as usize
}

#[inline]
pub fn chunk_of(x: i32, y: i32) -> usize {
    (x as usize / CHUNK) * CHUNKS_Y + y as usize / CHUNK
}

/// A chunk's key `(xmin, xmax, ymin, ymax)`, as Crafter's `chunk_key` gives it.
pub fn chunk_key(index: usize) -> [i64; 4] {
    let xmin = (index / CHUNKS_Y * CHUNK) as i64;
    let ymin = (index % CHUNKS_Y * CHUNK) as i64;
    [xmin, (xmin + CHUNK as i64).min(WIDTH as i64), ymin, (ymin + CHUNK as i64).min(HEIGHT as i64)]
}

/// The chunk index of a key, if the key is one `chunk_key` can produce.
pub fn chunk_from_key(key: [i64; 4]) -> Option<usize> {
    (0..N_CHUNKS).find(|&i| chunk_key(i) == key)
}

impl World {
    /// An empty world (all tiles `NONE`) with the player at `(x, y)`; nothing is registered yet.
    pub fn empty(rng: Mt19937, episode: i64) -> Self {
        let mut counts = vec![[0u8; N_MATERIALS]; N_CHUNKS];
        for x in 0..WIDTH as i32 {
            for y in 0..HEIGHT as i32 {
                counts[chunk_of(x, y)][NONE as usize] += 1;
            }
        }
        World {
            mat: vec![NONE; TILES],
            omap: vec![0; TILES],
            objs: Objects::default(),
            player: Player::new((WIDTH / 2) as i32, (HEIGHT / 2) as i32),
            chunks: Vec::with_capacity(N_CHUNKS),
            chunk_seen: 0,
            counts,
            next_id: 2,
            step: 0,
            episode,
            length: 10_000,
            last_health: 9,
            rng,
            removed_any: false,
        }
    }

    /// Recount the per-chunk material tallies from the map (after bulk writes to `mat`).
    pub fn recount(&mut self) {
        for c in self.counts.iter_mut() {
            *c = [0; N_MATERIALS];
        }
        for x in 0..WIDTH as i32 {
            for y in 0..HEIGHT as i32 {
                self.counts[chunk_of(x, y)][self.mat[tile(x, y)] as usize] += 1;
            }
        }
    }

    /// Bytes this world holds, inline and on the heap.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<World>()
            + self.mat.capacity()
            + self.omap.capacity() * 2
            + self.objs.heap_bytes()
            + self.chunks.capacity()
            + self.counts.capacity() * N_MATERIALS
    }
}
