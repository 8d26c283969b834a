//! The game's one random stream: numpy's legacy `RandomState` (MT19937), bit for bit.
//!
//! Mirrors `crafter_oo/rng.py`. The state is numpy's own: 624 words and the index of the next word,
//! so a state exported by `RandomState.get_state()` continues here exactly and vice versa. Only the
//! three calls Crafter makes are provided: `uniform()`, bounded `randint(0, n)` and raw words (to burn
//! the night render's draws).

pub const MT_WORDS: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER: u32 = 0x8000_0000;
const LOWER: u32 = 0x7fff_ffff;

/// An MT19937 generator in numpy's layout: `pos == 624` means the next draw regenerates the block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mt19937 {
    pub key: [u32; MT_WORDS],
    pub pos: usize,
}

impl Mt19937 {
    /// `init_genrand`, which `np.random.RandomState(seed)` uses for an integer seed.
    pub fn seeded(seed: u32) -> Self {
        let mut key = [0u32; MT_WORDS];
        key[0] = seed;
        for i in 1..MT_WORDS {
            let prev = key[i - 1];
            key[i] = 1_812_433_253u32.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(i as u32);
        }
        Mt19937 { key, pos: MT_WORDS }
    }

    /// A generator continuing from a saved numpy state; `None` if `pos` is not 0..=624.
    pub fn from_state(key: [u32; MT_WORDS], pos: usize) -> Option<Self> {
        (pos <= MT_WORDS).then_some(Mt19937 { key, pos })
    }

    fn twist(&mut self) {
        let k = &mut self.key;
        for i in 0..MT_WORDS - M {
            let y = (k[i] & UPPER) | (k[i + 1] & LOWER);
            k[i] = k[i + M] ^ (y >> 1) ^ (if y & 1 != 0 { MATRIX_A } else { 0 });
        }
        for i in MT_WORDS - M..MT_WORDS - 1 {
            let y = (k[i] & UPPER) | (k[i + 1] & LOWER);
            k[i] = k[i + M - MT_WORDS] ^ (y >> 1) ^ (if y & 1 != 0 { MATRIX_A } else { 0 });
        }
        let y = (k[MT_WORDS - 1] & UPPER) | (k[0] & LOWER);
        k[MT_WORDS - 1] = k[M - 1] ^ (y >> 1) ^ (if y & 1 != 0 { MATRIX_A } else { 0 });
        self.pos = 0;
    }

    /// The next tempered 32-bit word.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if self.pos >= MT_WORDS {
            self.twist();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// numpy's `uniform()` / `random_sample()`: 53 bits from two words.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// numpy's legacy `randint(0, n)` for `n <= 2**32`: masked rejection on 32-bit words.
    /// `randint(0, 1)` draws nothing; `n == 0` is the caller's bug and returns 0 without drawing.
    #[inline]
    pub fn randint(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        let rng = (n - 1) as u32;
        let mut mask = rng;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        loop {
            let v = self.next_u32() & mask;
            if v <= rng {
                return v as u64;
            }
        }
    }

    /// Draw and discard `count` words (a night render's noise is 3087 uniforms = 6174 words).
    pub fn skip_words(&mut self, mut count: usize) {
        while count > 0 {
            if self.pos >= MT_WORDS {
                self.twist();
            }
            let take = count.min(MT_WORDS - self.pos);
            self.pos += take;
            count -= take;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values printed by numpy 2.4: np.random.RandomState(seed) followed by the named calls.
    #[test]
    fn raw_words_match_numpy() {
        let mut g = Mt19937::seeded(5489);
        // The reference MT19937 first outputs for the default seed 5489.
        assert_eq!(g.next_u32(), 3_499_211_612);
        assert_eq!(g.next_u32(), 581_869_302);
        assert_eq!(g.next_u32(), 3_890_346_734);
    }

    #[test]
    fn uniform_matches_numpy() {
        // np.random.RandomState(0).uniform() x3
        let mut g = Mt19937::seeded(0);
        assert_eq!(g.uniform().to_bits(), 0.5488135039273248f64.to_bits());
        assert_eq!(g.uniform().to_bits(), 0.7151893663724195f64.to_bits());
        assert_eq!(g.uniform().to_bits(), 0.6027633760716439f64.to_bits());
    }

    #[test]
    fn randint_matches_numpy() {
        // np.random.RandomState(1256191933).randint(0, 2**31 - 1): the noise seed of seed 0, episode 1
        let mut g = Mt19937::seeded(1_256_191_933);
        assert_eq!(g.randint((1u64 << 31) - 1), NOISE_SEED_0_1);
        // np.random.RandomState(42): randint(0, 4) x5, randint(0, 1), randint(0, 144)
        let mut g = Mt19937::seeded(42);
        let got: Vec<u64> = (0..5).map(|_| g.randint(4)).collect();
        assert_eq!(got, RANDINT4_42);
        assert_eq!(g.randint(1), 0);
        assert_eq!(g.randint(144), RANDINT144_42);
    }

    #[test]
    fn skip_matches_drawing() {
        let mut a = Mt19937::seeded(7);
        let mut b = a.clone();
        a.uniform();
        a.skip_words(6174);
        b.uniform();
        for _ in 0..6174 {
            b.next_u32();
        }
        assert_eq!(a, b);
        assert_eq!(a.uniform().to_bits(), b.uniform().to_bits());
    }

    pub const NOISE_SEED_0_1: u64 = 487_388_145;
    pub const RANDINT4_42: [u64; 5] = [2, 3, 0, 2, 2];
    pub const RANDINT144_42: u64 = 71;
}
