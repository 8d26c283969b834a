//! One env step (mirrors `crafter_oo/step.py`), in the order of CRAFTER.md section 4: time, the
//! player, the objects of the step's opening snapshot within the update radius, balancing, the night
//! render's draws, then reward and done.

use crate::balance::balance;
use crate::creatures;
use crate::player::player_update;
use crate::state::*;
use crate::world::distance;

/// The outcome of a step besides the new state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub reward: f64,
    pub done: bool,
}

/// Step `w` in place. `daylight` is the daylight of the new step (`daylight_at(step + 1)`, computed
/// by numpy in Python so every bit matches).
pub fn step(w: &mut World, action: usize, daylight: f64, render_noise: bool) -> Outcome {
    let unlocked_before = unlocked(&w.player);
    w.step += 1;
    // objects created during this step (arrows, plants, spawns) are not in the snapshot
    let snapshot = w.objs.len();
    player_update(w, action);
    let (px, py) = (w.player.x, w.player.y);
    for slot in 0..snapshot {
        if distance(w.objs.x[slot], w.objs.y[slot], px, py) < UPDATE_RADIUS {
            creatures::update(w, slot);
        }
    }
    if w.step % 10 == 0 {
        balance(w, daylight);
    }
    if render_noise && daylight < 0.5 {
        w.rng.skip_words(NIGHT_RENDER_WORDS);
    }
    w.compact();
    let health = w.player.inv[HEALTH];
    let mut reward = (health - w.last_health) as f64 / 10.0;
    w.last_health = health;
    if unlocked(&w.player) & !unlocked_before != 0 {
        reward += 1.0;
    }
    let dead = health <= 0;
    let over = w.length != 0 && w.step >= w.length;
    Outcome { reward, done: dead || over }
}

fn unlocked(p: &Player) -> u32 {
    p.ach.iter().enumerate().fold(0, |m, (i, &c)| if c > 0 { m | (1 << i) } else { m })
}
