//! The Python binding: numpy arrays in and out, a `Batch` of worlds stepped on a rayon pool.
//!
//! A world crosses the boundary as seven arrays (see `Packed`), never as per-object Python calls.
//! Every array is validated on the way in; errors are `ValueError`s that `crafter_oo.native` turns
//! into `StateError`/`ActionError`, so no input can panic the interpreter.

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rayon::prelude::*;

use crate::rng::{Mt19937, MT_WORDS};
use crate::state::*;
use crate::step::step;
use crate::worldgen::{generate, HASH_MODULUS};

/// Length of the player vector: pos 2, facing 2, inventory 16, achievements 22, sleeping,
/// the four doubled counters, last_health.
pub const PLAYER_LEN: usize = 4 + N_ITEMS + N_ACH + 6;
/// Columns of the object table: id, kind, x, y, health, aux, facing x, facing y.
pub const OBJECT_COLS: usize = 8;
/// The meta vector: step, episode, next_id, length, last_health.
pub const META_LEN: usize = 5;
/// Bound for every integer field, so arithmetic inside a step can never overflow.
const FIELD_LIMIT: i64 = 1 << 30;

/// Rewards and dones of one batched step.
type Outcomes1<'py> = (Bound<'py, PyArray1<f32>>, Bound<'py, PyArray1<bool>>);
/// Rewards and dones of a rollout, `[T, N]` each.
type Outcomes2<'py> = (Bound<'py, PyArray2<f32>>, Bound<'py, PyArray2<bool>>);

fn err(msg: impl Into<String>) -> PyErr {
    PyValueError::new_err(msg.into())
}

fn small(value: i64, what: &str) -> PyResult<i32> {
    if value.abs() >= FIELD_LIMIT {
        return Err(err(format!("{what}: {value} is outside -2**30..2**30")));
    }
    Ok(value as i32)
}

fn export_player(p: &Player) -> Vec<i64> {
    let (fx, fy) = DIRS[p.facing as usize];
    let mut v = Vec::with_capacity(PLAYER_LEN);
    v.extend([p.x as i64, p.y as i64, fx as i64, fy as i64]);
    v.extend(p.inv.iter().map(|&i| i as i64));
    v.extend(p.ach.iter().copied());
    v.extend([p.sleeping as i64, p.hunger2, p.thirst2, p.fatigue2, p.recover2, p.last_health as i64]);
    v
}

fn export_objects(o: &Objects) -> Vec<i64> {
    let mut v = Vec::with_capacity(o.len() * OBJECT_COLS);
    for s in 0..o.len() {
        let (fx, fy) = DIRS[o.facing[s] as usize];
        v.extend([
            o.id[s],
            o.kind[s] as i64,
            o.x[s] as i64,
            o.y[s] as i64,
            o.health[s] as i64,
            o.aux[s] as i64,
            fx as i64,
            fy as i64,
        ]);
    }
    v
}

/// A world as Python sees it: (materials u8[64,64], player i64[48], objects i64[n,8],
/// chunks i64[k,4], meta i64[5], rng key u32[624], rng pos).
fn export<'py>(py: Python<'py>, w: &World) -> PyResult<Bound<'py, PyTuple>> {
    let mat = Array2::from_shape_vec((WIDTH, HEIGHT), w.mat.clone()).map_err(|e| err(e.to_string()))?;
    let objs = Array2::from_shape_vec((w.objs.len(), OBJECT_COLS), export_objects(&w.objs))
        .map_err(|e| err(e.to_string()))?;
    let chunks: Vec<i64> = w.chunks.iter().flat_map(|&c| chunk_key(c as usize)).collect();
    let chunks = Array2::from_shape_vec((w.chunks.len(), 4), chunks).map_err(|e| err(e.to_string()))?;
    let meta = vec![w.step, w.episode, w.next_id, w.length, w.last_health as i64];
    PyTuple::new(
        py,
        [
            mat.into_pyarray(py).into_any(),
            export_player(&w.player).into_pyarray(py).into_any(),
            objs.into_pyarray(py).into_any(),
            chunks.into_pyarray(py).into_any(),
            meta.into_pyarray(py).into_any(),
            w.rng.key.to_vec().into_pyarray(py).into_any(),
            (w.rng.pos as i64).into_pyobject(py)?.into_any(),
        ],
    )
}

/// Build and validate a world from the arrays `export` produces.
#[allow(clippy::too_many_arguments)]
fn import(
    mat: &[u8],
    mat_shape: &[usize],
    player: &[i64],
    objects: &[i64],
    objects_shape: &[usize],
    chunks: &[i64],
    chunks_shape: &[usize],
    meta: &[i64],
    key: &[u32],
    pos: i64,
) -> PyResult<World> {
    if mat_shape != [WIDTH, HEIGHT] {
        return Err(err(format!("materials: the kernel supports a {WIDTH}x{HEIGHT} area, got shape {mat_shape:?}")));
    }
    if let Some(&m) = mat.iter().find(|&&m| m as usize >= N_MATERIALS) {
        return Err(err(format!("materials: {m} is not a material id 0..{}", N_MATERIALS - 1)));
    }
    if player.len() != PLAYER_LEN {
        return Err(err(format!("player: expected {PLAYER_LEN} values, got {}", player.len())));
    }
    if objects_shape.len() != 2 || objects_shape[1] != OBJECT_COLS {
        return Err(err(format!("objects: expected shape (n, {OBJECT_COLS}), got {objects_shape:?}")));
    }
    if chunks_shape.len() != 2 || chunks_shape[1] != 4 {
        return Err(err(format!("chunks: expected shape (k, 4), got {chunks_shape:?}")));
    }
    if meta.len() != META_LEN {
        return Err(err(format!("meta: expected {META_LEN} values, got {}", meta.len())));
    }
    let key: [u32; MT_WORDS] = key
        .try_into()
        .map_err(|_| err(format!("rng.key: expected {MT_WORDS} words, got {}", key.len())))?;
    let rng = Mt19937::from_state(key, pos.clamp(0, i64::MAX) as usize)
        .filter(|_| pos >= 0)
        .ok_or_else(|| err(format!("rng.pos: {pos} is outside 0..{MT_WORDS}")))?;
    let (step, episode, next_id, length, last_health) = (meta[0], meta[1], meta[2], meta[3], meta[4]);
    if step < 0 || episode < 0 || length < 0 || !(2..FIELD_LIMIT * 4).contains(&next_id) {
        return Err(err(format!(
            "meta: step {step}, episode {episode}, length {length} must be >= 0 and next_id {next_id} >= 2"
        )));
    }
    let mut w = World::empty(rng, episode);
    w.mat.copy_from_slice(mat);
    w.recount();
    w.step = step;
    w.length = length;
    w.next_id = next_id;
    w.last_health = small(last_health, "last_health")?;

    let (px, py) = (player[0], player[1]);
    if !(0..WIDTH as i64).contains(&px) || !(0..HEIGHT as i64).contains(&py) {
        return Err(err(format!("player.pos: [{px}, {py}] is off the map")));
    }
    let facing = dir_index(player[2], player[3])
        .ok_or_else(|| err(format!("player.facing: [{}, {}] is not a direction", player[2], player[3])))?;
    let mut p = Player::new(px as i32, py as i32);
    p.facing = facing;
    for i in 0..N_ITEMS {
        p.inv[i] = small(player[4 + i], "player.inventory")?;
    }
    for i in 0..N_ACH {
        let a = player[4 + N_ITEMS + i];
        if !(0..FIELD_LIMIT * FIELD_LIMIT).contains(&a) {
            return Err(err(format!("player.achievements: {a} is outside 0..2**60")));
        }
        p.ach[i] = a;
    }
    let rest = &player[4 + N_ITEMS + N_ACH..];
    p.sleeping = match rest[0] {
        0 => false,
        1 => true,
        v => return Err(err(format!("player.sleeping: expected 0 or 1, got {v}"))),
    };
    for (i, name) in ["hunger", "thirst", "fatigue", "recover"].iter().enumerate() {
        small(rest[1 + i], &format!("player.{name} (doubled)"))?;
    }
    (p.hunger2, p.thirst2, p.fatigue2, p.recover2) = (rest[1], rest[2], rest[3], rest[4]);
    p.last_health = small(rest[5], "player.last_health")?;
    w.player = p;
    w.omap[tile(px as i32, py as i32)] = 1;

    let n = objects_shape[0];
    if n > TILES {
        return Err(err(format!("objects: {n} objects cannot fit on {TILES} tiles")));
    }
    let mut last_id = 1;
    for r in 0..n {
        let row = &objects[r * OBJECT_COLS..(r + 1) * OBJECT_COLS];
        let (id, kind, x, y) = (row[0], row[1], row[2], row[3]);
        if id <= last_id || id >= next_id {
            return Err(err(format!("objects[{r}].id: {id} must grow in creation order and be < next_id {next_id}")));
        }
        last_id = id;
        if !(0..N_KINDS as i64).contains(&kind) {
            return Err(err(format!("objects[{r}].kind: {kind} is not a kind 0..{}", N_KINDS - 1)));
        }
        if !(0..WIDTH as i64).contains(&x) || !(0..HEIGHT as i64).contains(&y) {
            return Err(err(format!("objects[{r}].pos: [{x}, {y}] is off the map")));
        }
        let t = tile(x as i32, y as i32);
        if w.omap[t] != 0 {
            return Err(err(format!("objects[{r}].pos: [{x}, {y}] already holds an object (one per tile)")));
        }
        let facing = if kind == ARROW as i64 {
            dir_index(row[6], row[7])
                .ok_or_else(|| err(format!("objects[{r}].facing: [{}, {}] is not a direction", row[6], row[7])))?
        } else {
            DOWN
        };
        let health = small(row[4], &format!("objects[{r}].health"))?;
        let aux = small(row[5], &format!("objects[{r}] counter"))?;
        let slot = w.objs.push(id, kind as u8, x as i32, y as i32, health, aux, facing);
        w.omap[t] = (slot + 2) as u16;
    }
    for r in 0..chunks_shape[0] {
        let k: [i64; 4] = chunks[r * 4..r * 4 + 4].try_into().map_err(|_| err("chunks: truncated"))?;
        let c = chunk_from_key(k).ok_or_else(|| err(format!("chunks[{r}]: {k:?} is not a chunk key of a 64x64 area")))?;
        if w.chunk_seen & (1 << c) != 0 {
            return Err(err(format!("chunks[{r}]: {k:?} is listed twice")));
        }
        w.chunk_seen |= 1 << c;
        w.chunks.push(c as u8);
    }
    Ok(w)
}

/// Generate a world. `seed_hash`/`episode_hash` are the ints' Python hashes (`n % (2**61 - 1)`).
#[pyfunction]
fn reset<'py>(py: Python<'py>, seed_hash: u64, episode_hash: u64, episode: i64) -> PyResult<Bound<'py, PyTuple>> {
    let w = py.detach(|| generate(seed_hash % HASH_MODULUS, episode_hash % HASH_MODULUS, episode));
    export(py, &w)
}

/// Step one world given as arrays; returns the new arrays plus reward and done.
#[pyfunction]
#[pyo3(signature = (materials, player, objects, chunks, meta, rng_key, rng_pos, action, daylight, render_noise=false))]
#[allow(clippy::too_many_arguments)]
fn step_one<'py>(
    py: Python<'py>,
    materials: PyReadonlyArray2<'py, u8>,
    player: PyReadonlyArray1<'py, i64>,
    objects: PyReadonlyArray2<'py, i64>,
    chunks: PyReadonlyArray2<'py, i64>,
    meta: PyReadonlyArray1<'py, i64>,
    rng_key: PyReadonlyArray1<'py, u32>,
    rng_pos: i64,
    action: i64,
    daylight: f64,
    render_noise: bool,
) -> PyResult<(Bound<'py, PyTuple>, f64, bool)> {
    if !(0..N_ACTIONS as i64).contains(&action) {
        return Err(err(format!("action index {action} is outside 0..{}", N_ACTIONS - 1)));
    }
    let mut w = import(
        materials.as_slice()?,
        materials.shape(),
        player.as_slice()?,
        objects.as_slice()?,
        objects.shape(),
        chunks.as_slice()?,
        chunks.shape(),
        meta.as_slice()?,
        rng_key.as_slice()?,
        rng_pos,
    )?;
    let out = step(&mut w, action as usize, daylight, render_noise);
    Ok((export(py, &w)?, out.reward, out.done))
}

/// Round-trip arrays through the kernel's world (validation and packing, for tests).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn roundtrip<'py>(
    py: Python<'py>,
    materials: PyReadonlyArray2<'py, u8>,
    player: PyReadonlyArray1<'py, i64>,
    objects: PyReadonlyArray2<'py, i64>,
    chunks: PyReadonlyArray2<'py, i64>,
    meta: PyReadonlyArray1<'py, i64>,
    rng_key: PyReadonlyArray1<'py, u32>,
    rng_pos: i64,
) -> PyResult<Bound<'py, PyTuple>> {
    let w = import(
        materials.as_slice()?,
        materials.shape(),
        player.as_slice()?,
        objects.as_slice()?,
        objects.shape(),
        chunks.as_slice()?,
        chunks.shape(),
        meta.as_slice()?,
        rng_key.as_slice()?,
        rng_pos,
    )?;
    export(py, &w)
}

/// Many worlds stepped together. Each world has its own random stream, so results are the same for
/// any number of threads; long rollouts run entirely in Rust with the interpreter released.
#[pyclass(module = "crafter_oo._kernel")]
struct Batch {
    worlds: Vec<World>,
    seed_hashes: Vec<u64>,
    done: Vec<bool>,
    /// daylight_at(step) for step 0..len, computed by numpy in Python.
    daylight: Vec<f64>,
    pool: rayon::ThreadPool,
    threads: usize,
}

impl Batch {
    fn check_daylight(&self, steps_ahead: i64) -> PyResult<()> {
        let max_step = self.worlds.iter().map(|w| w.step).max().unwrap_or(0);
        if max_step + steps_ahead >= self.daylight.len() as i64 {
            return Err(err(format!(
                "daylight table covers steps 0..{}, but step {} is needed; call set_daylight first",
                self.daylight.len(),
                max_step + steps_ahead
            )));
        }
        Ok(())
    }

    fn check_actions(actions: &[i64]) -> PyResult<()> {
        if let Some(&a) = actions.iter().find(|&&a| !(0..N_ACTIONS as i64).contains(&a)) {
            return Err(err(format!("action index {a} is outside 0..{}", N_ACTIONS - 1)));
        }
        Ok(())
    }

    fn reset_world(w: &mut World, seed_hash: u64) {
        let episode = w.episode + 1;
        *w = generate(seed_hash, episode as u64 % HASH_MODULUS, episode);
    }
}

#[pymethods]
impl Batch {
    /// `seed_hashes[i]`, `episodes[i]`: world i is `reset(seed, episode)`; `threads` sizes the pool.
    #[new]
    fn new(
        py: Python<'_>,
        seed_hashes: PyReadonlyArray1<'_, u64>,
        episodes: PyReadonlyArray1<'_, i64>,
        threads: usize,
    ) -> PyResult<Self> {
        let seeds: Vec<u64> = seed_hashes.as_slice()?.iter().map(|s| s % HASH_MODULUS).collect();
        let episodes = episodes.as_slice()?.to_vec();
        if seeds.len() != episodes.len() {
            return Err(err("seed_hashes and episodes must have the same length"));
        }
        if let Some(e) = episodes.iter().find(|&&e| e < 1) {
            return Err(err(format!("episode counts from 1, got {e}")));
        }
        let threads = threads.max(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| err(format!("cannot start {threads} threads: {e}")))?;
        let worlds = py.detach(|| {
            pool.install(|| {
                seeds
                    .par_iter()
                    .zip(episodes.par_iter())
                    .map(|(&s, &e)| generate(s, e as u64 % HASH_MODULUS, e))
                    .collect::<Vec<_>>()
            })
        });
        let n = worlds.len();
        Ok(Batch { worlds, seed_hashes: seeds, done: vec![false; n], daylight: Vec::new(), pool, threads })
    }

    fn __len__(&self) -> usize {
        self.worlds.len()
    }

    #[getter]
    fn threads(&self) -> usize {
        self.threads
    }

    /// Replace the daylight table (`daylight_at(s)` for s = 0..len).
    fn set_daylight(&mut self, table: PyReadonlyArray1<'_, f64>) -> PyResult<()> {
        self.daylight = table.as_slice()?.to_vec();
        Ok(())
    }

    fn daylight_len(&self) -> usize {
        self.daylight.len()
    }

    /// The largest step counter over the worlds.
    fn max_step(&self) -> i64 {
        self.worlds.iter().map(|w| w.step).max().unwrap_or(0)
    }

    fn steps<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        self.worlds.iter().map(|w| w.step).collect::<Vec<_>>().into_pyarray(py)
    }

    fn episodes<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        self.worlds.iter().map(|w| w.episode).collect::<Vec<_>>().into_pyarray(py)
    }

    /// Whether each world's last step ended its episode.
    fn dones<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<bool>> {
        self.done.clone().into_pyarray(py)
    }

    /// One step of every world; `actions[i]` is world i's action index.
    #[pyo3(signature = (actions, render_noise=false))]
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        actions: PyReadonlyArray1<'py, i64>,
        render_noise: bool,
    ) -> PyResult<Outcomes1<'py>> {
        let actions = actions.as_slice()?;
        if actions.len() != self.worlds.len() {
            return Err(err(format!("actions: expected {} actions, got {}", self.worlds.len(), actions.len())));
        }
        Self::check_actions(actions)?;
        self.check_daylight(1)?;
        let daylight = &self.daylight;
        let mut rewards = vec![0f32; actions.len()];
        let worlds = &mut self.worlds;
        let done = &mut self.done;
        let run = |((w, d), (r, &a)): ((&mut World, &mut bool), (&mut f32, &i64))| {
            let out = step(w, a as usize, daylight[(w.step + 1) as usize], render_noise);
            *r = out.reward as f32;
            *d = out.done;
        };
        if self.threads == 1 || worlds.len() < 64 {
            worlds.iter_mut().zip(done.iter_mut()).zip(rewards.iter_mut().zip(actions.iter())).for_each(run);
        } else {
            py.detach(|| {
                self.pool.install(|| {
                    worlds
                        .par_iter_mut()
                        .zip(done.par_iter_mut())
                        .zip(rewards.par_iter_mut().zip(actions.par_iter()))
                        .for_each(run)
                })
            });
        }
        Ok((rewards.into_pyarray(py), self.done.clone().into_pyarray(py)))
    }

    /// Reset the worlds whose last step ended the episode, through the episode counter (like
    /// `Env.reset`). Returns which worlds were reset.
    fn reset_done<'py>(&mut self, py: Python<'py>) -> Bound<'py, PyArray1<bool>> {
        let which = self.done.clone();
        let seeds = &self.seed_hashes;
        let worlds = &mut self.worlds;
        let done = &mut self.done;
        py.detach(|| {
            self.pool.install(|| {
                worlds.par_iter_mut().zip(done.par_iter_mut()).zip(seeds.par_iter()).for_each(|((w, d), &s)| {
                    if *d {
                        Batch::reset_world(w, s);
                        *d = false;
                    }
                })
            })
        });
        which.into_pyarray(py)
    }

    /// `T` steps of every world inside Rust: `actions[t, i]` is world i's action at step t. With
    /// `auto_reset`, a world whose episode ends is reset (episode + 1) before its next step, exactly
    /// as `step` followed by `reset_done` would.
    #[pyo3(signature = (actions, render_noise=false, auto_reset=false))]
    fn rollout<'py>(
        &mut self,
        py: Python<'py>,
        actions: PyReadonlyArray2<'py, i64>,
        render_noise: bool,
        auto_reset: bool,
    ) -> PyResult<Outcomes2<'py>> {
        let shape = actions.shape().to_vec();
        let n = self.worlds.len();
        if shape.len() != 2 || shape[1] != n {
            return Err(err(format!("actions: expected shape (T, {n}), got {shape:?}")));
        }
        let t_len = shape[0];
        let actions = actions.as_slice()?;
        Self::check_actions(actions)?;
        self.check_daylight(t_len as i64)?;
        let daylight = &self.daylight;
        let seeds = &self.seed_hashes;
        let worlds = &mut self.worlds;
        let done = &mut self.done;
        let run = |(i, ((w, d), &s)): (usize, ((&mut World, &mut bool), &u64))| {
            let mut rewards = Vec::with_capacity(t_len);
            let mut dones = Vec::with_capacity(t_len);
            for t in 0..t_len {
                if auto_reset && *d {
                    Batch::reset_world(w, s);
                    *d = false;
                }
                let out = step(w, actions[t * n + i] as usize, daylight[(w.step + 1) as usize], render_noise);
                *d = out.done;
                rewards.push(out.reward as f32);
                dones.push(out.done);
            }
            (rewards, dones)
        };
        let columns: Vec<(Vec<f32>, Vec<bool>)> = py.detach(|| {
            if self.threads == 1 {
                worlds.iter_mut().zip(done.iter_mut()).zip(seeds.iter()).enumerate().map(run).collect()
            } else {
                self.pool.install(|| {
                    worlds.par_iter_mut().zip(done.par_iter_mut()).zip(seeds.par_iter()).enumerate().map(run).collect()
                })
            }
        });
        let mut rewards = Array2::<f32>::zeros((t_len, n));
        let mut dones = Array2::<bool>::from_elem((t_len, n), false);
        for (i, (r, d)) in columns.into_iter().enumerate() {
            for t in 0..t_len {
                rewards[[t, i]] = r[t];
                dones[[t, i]] = d[t];
            }
        }
        Ok((rewards.into_pyarray(py), dones.into_pyarray(py)))
    }

    /// World i as the arrays `reset`/`step_one` use.
    fn export<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Bound<'py, PyTuple>> {
        let w = self.worlds.get(i).ok_or_else(|| err(format!("world {i} is outside 0..{}", self.worlds.len())))?;
        export(py, w)
    }

    /// Bytes held by the worlds (struct sizes plus their heap buffers), without the Python object.
    fn nbytes(&self) -> usize {
        std::mem::size_of::<Batch>()
            + self.worlds.iter().map(|w| w.bytes()).sum::<usize>()
            + self.seed_hashes.capacity() * 8
            + self.done.capacity()
            + self.daylight.capacity() * 8
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(reset, m)?)?;
    m.add_function(wrap_pyfunction!(step_one, m)?)?;
    m.add_function(wrap_pyfunction!(roundtrip, m)?)?;
    m.add_class::<Batch>()?;
    m.add("PLAYER_LEN", PLAYER_LEN)?;
    m.add("OBJECT_COLS", OBJECT_COLS)?;
    m.add("META_LEN", META_LEN)?;
    Ok(())
}
