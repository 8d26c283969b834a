//! OpenSimplex 3D noise exactly as the `opensimplex` 0.4.5 package computes it (`_init`, `_noise3`).
//!
//! Ported branch for branch and operation for operation, because world generation compares noise
//! against thresholds and a different rounding anywhere would change a tile. The `noise` crate's
//! OpenSimplex is a different variant and gives different values.

const STRETCH: f64 = -1.0 / 6.0;
const SQUISH: f64 = 1.0 / 3.0;
const NORM: f64 = 103.0;

#[rustfmt::skip]
const GRADIENTS3: [f64; 72] = [
    -11.0, 4.0, 4.0, -4.0, 11.0, 4.0, -4.0, 4.0, 11.0,
    11.0, 4.0, 4.0, 4.0, 11.0, 4.0, 4.0, 4.0, 11.0,
    -11.0, -4.0, 4.0, -4.0, -11.0, 4.0, -4.0, -4.0, 11.0,
    11.0, -4.0, 4.0, 4.0, -11.0, 4.0, 4.0, -4.0, 11.0,
    -11.0, 4.0, -4.0, -4.0, 11.0, -4.0, -4.0, 4.0, -11.0,
    11.0, 4.0, -4.0, 4.0, 11.0, -4.0, 4.0, 4.0, -11.0,
    -11.0, -4.0, -4.0, -4.0, -11.0, -4.0, -4.0, -4.0, -11.0,
    11.0, -4.0, -4.0, 4.0, -11.0, -4.0, 4.0, -4.0, -11.0,
];

/// `math.floor` for the finite, in-range coordinates noise sees: truncate, then step down for
/// negative non-integers. (`f64::floor` is a libm call on baseline x86-64.)
#[inline(always)]
fn floor(v: f64) -> i64 {
    let t = v as i64;
    if (t as f64) > v {
        t - 1
    } else {
        t
    }
}

/// The permutation tables of one noise seed.
/// `perm` holds 0..255, so `perm[(perm[x & 0xFF] + y) & 0xFF]` is a wrapping byte add.
pub struct OpenSimplex {
    perm: [u8; 256],
    grad_index: [u8; 256],
}

impl OpenSimplex {
    /// `opensimplex.internals._init(seed)`: an LCG-driven Fisher-Yates permutation.
    pub fn new(seed: i64) -> Self {
        const MUL: i64 = 6_364_136_223_846_793_005;
        const INC: i64 = 1_442_695_040_888_963_407;
        let mut perm = [0u8; 256];
        let mut grad_index = [0u8; 256];
        let mut source: [i64; 256] = std::array::from_fn(|i| i as i64);
        let mut s = seed;
        for _ in 0..3 {
            s = s.wrapping_mul(MUL).wrapping_add(INC);
        }
        for i in (0..256usize).rev() {
            s = s.wrapping_mul(MUL).wrapping_add(INC);
            let r = ((s as i128 + 31).rem_euclid(i as i128 + 1)) as usize;
            perm[i] = source[r] as u8;
            grad_index[i] = ((source[r] % 24) * 3) as u8;
            source[r] = source[i];
        }
        OpenSimplex { perm, grad_index }
    }

    /// The gradient at a lattice point dotted with the offset. Masking with `& 0xFF` in two's
    /// complement equals adding the low bytes with wrap-around.
    #[inline(always)]
    fn extrapolate(&self, xsb: i64, ysb: i64, zsb: i64, dx: f64, dy: f64, dz: f64) -> f64 {
        let p = &self.perm;
        let a = p[xsb as u8 as usize];
        let b = p[a.wrapping_add(ysb as u8) as usize];
        let index = self.grad_index[b.wrapping_add(zsb as u8) as usize] as usize;
        let g = &GRADIENTS3[index.min(69)..index.min(69) + 3];
        g[0] * dx + g[1] * dy + g[2] * dz
    }

    /// `_noise3(x, y, z)`. Contributions are added in the reference's order (the sum is not
    /// associative, so the order is part of the result).
    pub fn noise3(&self, x: f64, y: f64, z: f64) -> f64 {
        let stretch_offset = (x + y + z) * STRETCH;
        let xs = x + stretch_offset;
        let ys = y + stretch_offset;
        let zs = z + stretch_offset;
        let xsb = floor(xs);
        let ysb = floor(ys);
        let zsb = floor(zs);
        let squish_offset = (xsb + ysb + zsb) as f64 * SQUISH;
        let xb = xsb as f64 + squish_offset;
        let yb = ysb as f64 + squish_offset;
        let zb = zsb as f64 + squish_offset;
        let xins = xs - xsb as f64;
        let yins = ys - ysb as f64;
        let zins = zs - zsb as f64;
        let in_sum = xins + yins + zins;
        let mut dx0 = x - xb;
        let mut dy0 = y - yb;
        let mut dz0 = z - zb;

        let (xsv_ext0, ysv_ext0, zsv_ext0, dx_ext0, dy_ext0, dz_ext0);
        let (xsv_ext1, ysv_ext1, zsv_ext1, dx_ext1, dy_ext1, dz_ext1);
        // Every branch adds with `value += c`, starting from 0 (an int in the reference; 0 + c == c).
        let mut value = 0.0f64;
        let mut add = |c: Option<f64>| {
            if let Some(c) = c {
                value += c;
            }
        };
        let sq = SQUISH;

        if in_sum <= 1.0 {
            let mut a_point = 0x01;
            let mut a_score = xins;
            let mut b_point = 0x02;
            let mut b_score = yins;
            if a_score >= b_score && zins > b_score {
                b_score = zins;
                b_point = 0x04;
            } else if a_score < b_score && zins > a_score {
                a_score = zins;
                a_point = 0x04;
            }
            let wins = 1.0 - in_sum;
            if wins > a_score || wins > b_score {
                let c = if b_score > a_score { b_point } else { a_point };
                let (x0, x1, ddx0, ddx1);
                if c & 0x01 == 0 {
                    x0 = xsb - 1;
                    x1 = xsb;
                    ddx0 = dx0 + 1.0;
                    ddx1 = dx0;
                } else {
                    x0 = xsb + 1;
                    x1 = xsb + 1;
                    ddx0 = dx0 - 1.0;
                    ddx1 = dx0 - 1.0;
                }
                let (mut y0, mut y1, mut ddy0, mut ddy1);
                if c & 0x02 == 0 {
                    y0 = ysb;
                    y1 = ysb;
                    ddy0 = dy0;
                    ddy1 = dy0;
                    if c & 0x01 == 0 {
                        y1 -= 1;
                        ddy1 += 1.0;
                    } else {
                        y0 -= 1;
                        ddy0 += 1.0;
                    }
                } else {
                    y0 = ysb + 1;
                    y1 = ysb + 1;
                    ddy0 = dy0 - 1.0;
                    ddy1 = dy0 - 1.0;
                }
                let (z0, z1, ddz0, ddz1);
                if c & 0x04 == 0 {
                    z0 = zsb;
                    z1 = zsb - 1;
                    ddz0 = dz0;
                    ddz1 = dz0 + 1.0;
                } else {
                    z0 = zsb + 1;
                    z1 = zsb + 1;
                    ddz0 = dz0 - 1.0;
                    ddz1 = dz0 - 1.0;
                }
                (xsv_ext0, ysv_ext0, zsv_ext0, dx_ext0, dy_ext0, dz_ext0) = (x0, y0, z0, ddx0, ddy0, ddz0);
                (xsv_ext1, ysv_ext1, zsv_ext1, dx_ext1, dy_ext1, dz_ext1) = (x1, y1, z1, ddx1, ddy1, ddz1);
            } else {
                let c = a_point | b_point;
                if c & 0x01 == 0 {
                    (xsv_ext0, xsv_ext1) = (xsb, xsb - 1);
                    (dx_ext0, dx_ext1) = (dx0 - 2.0 * sq, dx0 + 1.0 - sq);
                } else {
                    (xsv_ext0, xsv_ext1) = (xsb + 1, xsb + 1);
                    (dx_ext0, dx_ext1) = (dx0 - 1.0 - 2.0 * sq, dx0 - 1.0 - sq);
                }
                if c & 0x02 == 0 {
                    (ysv_ext0, ysv_ext1) = (ysb, ysb - 1);
                    (dy_ext0, dy_ext1) = (dy0 - 2.0 * sq, dy0 + 1.0 - sq);
                } else {
                    (ysv_ext0, ysv_ext1) = (ysb + 1, ysb + 1);
                    (dy_ext0, dy_ext1) = (dy0 - 1.0 - 2.0 * sq, dy0 - 1.0 - sq);
                }
                if c & 0x04 == 0 {
                    (zsv_ext0, zsv_ext1) = (zsb, zsb - 1);
                    (dz_ext0, dz_ext1) = (dz0 - 2.0 * sq, dz0 + 1.0 - sq);
                } else {
                    (zsv_ext0, zsv_ext1) = (zsb + 1, zsb + 1);
                    (dz_ext0, dz_ext1) = (dz0 - 1.0 - 2.0 * sq, dz0 - 1.0 - sq);
                }
            }
            // (0,0,0)
            add(self.contrib(xsb, ysb, zsb, dx0, dy0, dz0));
            // (1,0,0)
            let dx1 = dx0 - 1.0 - sq;
            let dy1 = dy0 - 0.0 - sq;
            let dz1 = dz0 - 0.0 - sq;
            add(self.contrib(xsb + 1, ysb, zsb, dx1, dy1, dz1));
            // (0,1,0)
            let dx2 = dx0 - 0.0 - sq;
            let dy2 = dy0 - 1.0 - sq;
            let dz2 = dz1;
            add(self.contrib(xsb, ysb + 1, zsb, dx2, dy2, dz2));
            // (0,0,1)
            let dx3 = dx2;
            let dy3 = dy1;
            let dz3 = dz0 - 1.0 - sq;
            add(self.contrib(xsb, ysb, zsb + 1, dx3, dy3, dz3));
        } else if in_sum >= 2.0 {
            let mut a_point = 0x06;
            let mut a_score = xins;
            let mut b_point = 0x05;
            let mut b_score = yins;
            if a_score <= b_score && zins < b_score {
                b_score = zins;
                b_point = 0x03;
            } else if a_score > b_score && zins < a_score {
                a_score = zins;
                a_point = 0x03;
            }
            let wins = 3.0 - in_sum;
            if wins < a_score || wins < b_score {
                let c = if b_score < a_score { b_point } else { a_point };
                if c & 0x01 != 0 {
                    (xsv_ext0, xsv_ext1) = (xsb + 2, xsb + 1);
                    (dx_ext0, dx_ext1) = (dx0 - 2.0 - 3.0 * sq, dx0 - 1.0 - 3.0 * sq);
                } else {
                    (xsv_ext0, xsv_ext1) = (xsb, xsb);
                    (dx_ext0, dx_ext1) = (dx0 - 3.0 * sq, dx0 - 3.0 * sq);
                }
                let (mut y0, mut y1, mut ddy0, mut ddy1);
                if c & 0x02 != 0 {
                    y0 = ysb + 1;
                    y1 = ysb + 1;
                    ddy0 = dy0 - 1.0 - 3.0 * sq;
                    ddy1 = dy0 - 1.0 - 3.0 * sq;
                    if c & 0x01 != 0 {
                        y1 += 1;
                        ddy1 -= 1.0;
                    } else {
                        y0 += 1;
                        ddy0 -= 1.0;
                    }
                } else {
                    y0 = ysb;
                    y1 = ysb;
                    ddy0 = dy0 - 3.0 * sq;
                    ddy1 = dy0 - 3.0 * sq;
                }
                (ysv_ext0, ysv_ext1, dy_ext0, dy_ext1) = (y0, y1, ddy0, ddy1);
                if c & 0x04 != 0 {
                    (zsv_ext0, zsv_ext1) = (zsb + 1, zsb + 2);
                    (dz_ext0, dz_ext1) = (dz0 - 1.0 - 3.0 * sq, dz0 - 2.0 - 3.0 * sq);
                } else {
                    (zsv_ext0, zsv_ext1) = (zsb, zsb);
                    (dz_ext0, dz_ext1) = (dz0 - 3.0 * sq, dz0 - 3.0 * sq);
                }
            } else {
                let c = a_point & b_point;
                if c & 0x01 != 0 {
                    (xsv_ext0, xsv_ext1) = (xsb + 1, xsb + 2);
                    (dx_ext0, dx_ext1) = (dx0 - 1.0 - sq, dx0 - 2.0 - 2.0 * sq);
                } else {
                    (xsv_ext0, xsv_ext1) = (xsb, xsb);
                    (dx_ext0, dx_ext1) = (dx0 - sq, dx0 - 2.0 * sq);
                }
                if c & 0x02 != 0 {
                    (ysv_ext0, ysv_ext1) = (ysb + 1, ysb + 2);
                    (dy_ext0, dy_ext1) = (dy0 - 1.0 - sq, dy0 - 2.0 - 2.0 * sq);
                } else {
                    (ysv_ext0, ysv_ext1) = (ysb, ysb);
                    (dy_ext0, dy_ext1) = (dy0 - sq, dy0 - 2.0 * sq);
                }
                if c & 0x04 != 0 {
                    (zsv_ext0, zsv_ext1) = (zsb + 1, zsb + 2);
                    (dz_ext0, dz_ext1) = (dz0 - 1.0 - sq, dz0 - 2.0 - 2.0 * sq);
                } else {
                    (zsv_ext0, zsv_ext1) = (zsb, zsb);
                    (dz_ext0, dz_ext1) = (dz0 - sq, dz0 - 2.0 * sq);
                }
            }
            // (1,1,0)
            let dx3 = dx0 - 1.0 - 2.0 * sq;
            let dy3 = dy0 - 1.0 - 2.0 * sq;
            let dz3 = dz0 - 0.0 - 2.0 * sq;
            add(self.contrib(xsb + 1, ysb + 1, zsb, dx3, dy3, dz3));
            // (1,0,1)
            let dx2 = dx3;
            let dy2 = dy0 - 0.0 - 2.0 * sq;
            let dz2 = dz0 - 1.0 - 2.0 * sq;
            add(self.contrib(xsb + 1, ysb, zsb + 1, dx2, dy2, dz2));
            // (0,1,1)
            let dx1 = dx0 - 0.0 - 2.0 * sq;
            let dy1 = dy3;
            let dz1 = dz2;
            add(self.contrib(xsb, ysb + 1, zsb + 1, dx1, dy1, dz1));
            // (1,1,1)
            dx0 = dx0 - 1.0 - 3.0 * sq;
            dy0 = dy0 - 1.0 - 3.0 * sq;
            dz0 = dz0 - 1.0 - 3.0 * sq;
            add(self.contrib(xsb + 1, ysb + 1, zsb + 1, dx0, dy0, dz0));
        } else {
            // The octahedron between the two tetrahedra.
            let (a_score, mut a_point, mut a_further);
            let p1 = xins + yins;
            if p1 > 1.0 {
                a_score = p1 - 1.0;
                a_point = 0x03;
                a_further = true;
            } else {
                a_score = 1.0 - p1;
                a_point = 0x04;
                a_further = false;
            }
            let (b_score, mut b_point, mut b_further);
            let p2 = xins + zins;
            if p2 > 1.0 {
                b_score = p2 - 1.0;
                b_point = 0x05;
                b_further = true;
            } else {
                b_score = 1.0 - p2;
                b_point = 0x02;
                b_further = false;
            }
            let p3 = yins + zins;
            if p3 > 1.0 {
                let score = p3 - 1.0;
                if a_score <= b_score && a_score < score {
                    a_point = 0x06;
                    a_further = true;
                } else if a_score > b_score && b_score < score {
                    b_point = 0x06;
                    b_further = true;
                }
            } else {
                let score = 1.0 - p3;
                if a_score <= b_score && a_score < score {
                    a_point = 0x01;
                    a_further = false;
                } else if a_score > b_score && b_score < score {
                    b_point = 0x01;
                    b_further = false;
                }
            }
            if a_further == b_further {
                if a_further {
                    (dx_ext0, dy_ext0, dz_ext0) = (dx0 - 1.0 - 3.0 * sq, dy0 - 1.0 - 3.0 * sq, dz0 - 1.0 - 3.0 * sq);
                    (xsv_ext0, ysv_ext0, zsv_ext0) = (xsb + 1, ysb + 1, zsb + 1);
                    let c = a_point & b_point;
                    if c & 0x01 != 0 {
                        (dx_ext1, dy_ext1, dz_ext1) = (dx0 - 2.0 - 2.0 * sq, dy0 - 2.0 * sq, dz0 - 2.0 * sq);
                        (xsv_ext1, ysv_ext1, zsv_ext1) = (xsb + 2, ysb, zsb);
                    } else if c & 0x02 != 0 {
                        (dx_ext1, dy_ext1, dz_ext1) = (dx0 - 2.0 * sq, dy0 - 2.0 - 2.0 * sq, dz0 - 2.0 * sq);
                        (xsv_ext1, ysv_ext1, zsv_ext1) = (xsb, ysb + 2, zsb);
                    } else {
                        (dx_ext1, dy_ext1, dz_ext1) = (dx0 - 2.0 * sq, dy0 - 2.0 * sq, dz0 - 2.0 - 2.0 * sq);
                        (xsv_ext1, ysv_ext1, zsv_ext1) = (xsb, ysb, zsb + 2);
                    }
                } else {
                    (dx_ext0, dy_ext0, dz_ext0) = (dx0, dy0, dz0);
                    (xsv_ext0, ysv_ext0, zsv_ext0) = (xsb, ysb, zsb);
                    let c = a_point | b_point;
                    if c & 0x01 == 0 {
                        (dx_ext1, dy_ext1, dz_ext1) = (dx0 + 1.0 - sq, dy0 - 1.0 - sq, dz0 - 1.0 - sq);
                        (xsv_ext1, ysv_ext1, zsv_ext1) = (xsb - 1, ysb + 1, zsb + 1);
                    } else if c & 0x02 == 0 {
                        (dx_ext1, dy_ext1, dz_ext1) = (dx0 - 1.0 - sq, dy0 + 1.0 - sq, dz0 - 1.0 - sq);
                        (xsv_ext1, ysv_ext1, zsv_ext1) = (xsb + 1, ysb - 1, zsb + 1);
                    } else {
                        (dx_ext1, dy_ext1, dz_ext1) = (dx0 - 1.0 - sq, dy0 - 1.0 - sq, dz0 + 1.0 - sq);
                        (xsv_ext1, ysv_ext1, zsv_ext1) = (xsb + 1, ysb + 1, zsb - 1);
                    }
                }
            } else {
                let (c1, c2) = if a_further { (a_point, b_point) } else { (b_point, a_point) };
                if c1 & 0x01 == 0 {
                    (dx_ext0, dy_ext0, dz_ext0) = (dx0 + 1.0 - sq, dy0 - 1.0 - sq, dz0 - 1.0 - sq);
                    (xsv_ext0, ysv_ext0, zsv_ext0) = (xsb - 1, ysb + 1, zsb + 1);
                } else if c1 & 0x02 == 0 {
                    (dx_ext0, dy_ext0, dz_ext0) = (dx0 - 1.0 - sq, dy0 + 1.0 - sq, dz0 - 1.0 - sq);
                    (xsv_ext0, ysv_ext0, zsv_ext0) = (xsb + 1, ysb - 1, zsb + 1);
                } else {
                    (dx_ext0, dy_ext0, dz_ext0) = (dx0 - 1.0 - sq, dy0 - 1.0 - sq, dz0 + 1.0 - sq);
                    (xsv_ext0, ysv_ext0, zsv_ext0) = (xsb + 1, ysb + 1, zsb - 1);
                }
                let (mut ddx1, mut ddy1, mut ddz1) = (dx0 - 2.0 * sq, dy0 - 2.0 * sq, dz0 - 2.0 * sq);
                let (mut x1, mut y1, mut z1) = (xsb, ysb, zsb);
                if c2 & 0x01 != 0 {
                    ddx1 -= 2.0;
                    x1 += 2;
                } else if c2 & 0x02 != 0 {
                    ddy1 -= 2.0;
                    y1 += 2;
                } else {
                    ddz1 -= 2.0;
                    z1 += 2;
                }
                (dx_ext1, dy_ext1, dz_ext1) = (ddx1, ddy1, ddz1);
                (xsv_ext1, ysv_ext1, zsv_ext1) = (x1, y1, z1);
            }
            // (1,0,0)
            let dx1 = dx0 - 1.0 - sq;
            let dy1 = dy0 - 0.0 - sq;
            let dz1 = dz0 - 0.0 - sq;
            add(self.contrib(xsb + 1, ysb, zsb, dx1, dy1, dz1));
            // (0,1,0)
            let dx2 = dx0 - 0.0 - sq;
            let dy2 = dy0 - 1.0 - sq;
            let dz2 = dz1;
            add(self.contrib(xsb, ysb + 1, zsb, dx2, dy2, dz2));
            // (0,0,1)
            let dx3 = dx2;
            let dy3 = dy1;
            let dz3 = dz0 - 1.0 - sq;
            add(self.contrib(xsb, ysb, zsb + 1, dx3, dy3, dz3));
            // (1,1,0)
            let dx4 = dx0 - 1.0 - 2.0 * sq;
            let dy4 = dy0 - 1.0 - 2.0 * sq;
            let dz4 = dz0 - 0.0 - 2.0 * sq;
            add(self.contrib(xsb + 1, ysb + 1, zsb, dx4, dy4, dz4));
            // (1,0,1)
            let dx5 = dx4;
            let dy5 = dy0 - 0.0 - 2.0 * sq;
            let dz5 = dz0 - 1.0 - 2.0 * sq;
            add(self.contrib(xsb + 1, ysb, zsb + 1, dx5, dy5, dz5));
            // (0,1,1)
            let dx6 = dx0 - 0.0 - 2.0 * sq;
            let dy6 = dy4;
            let dz6 = dz5;
            add(self.contrib(xsb, ysb + 1, zsb + 1, dx6, dy6, dz6));
        }
        add(self.contrib(xsv_ext0, ysv_ext0, zsv_ext0, dx_ext0, dy_ext0, dz_ext0));
        add(self.contrib(xsv_ext1, ysv_ext1, zsv_ext1, dx_ext1, dy_ext1, dz_ext1));
        value / NORM
    }

    /// A vertex's contribution, or `None` when its attenuation is not positive (the reference
    /// then skips the `+=`, which matters for `-0.0 + 0.0`).
    #[inline(always)]
    fn contrib(&self, xsb: i64, ysb: i64, zsb: i64, dx: f64, dy: f64, dz: f64) -> Option<f64> {
        let mut attn = 2.0 - dx * dx - dy * dy - dz * dz;
        if attn > 0.0 {
            attn *= attn;
            Some(attn * attn * self.extrapolate(xsb, ysb, zsb, dx, dy, dz))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_matches_python() {
        // opensimplex.internals._init(12345)
        let n = OpenSimplex::new(12345);
        assert_eq!(&n.perm[..8], &[33, 182, 149, 37, 26, 75, 1, 19]);
        assert_eq!(&n.grad_index[..8], &[27, 42, 15, 39, 6, 9, 3, 57]);
    }

    #[test]
    fn values_match_python() {
        // opensimplex.OpenSimplex(seed=12345).noise3(x, y, z), printed with repr()
        let n = OpenSimplex::new(12345);
        let cases: [(f64, f64, f64, f64); 5] = [
            (0.0, 0.0, 0.0, -1.4443096571220408e-66),
            (1.5, -2.25, 3.0, 0.36765926324048104),
            (10.0 / 3.0, 7.0 / 15.0, 8.0, -0.12163109099164354),
            (-5.5, 4.2, 1.0, 0.5135046350841425),
            (63.0 / 15.0, 31.0 / 5.0, 0.0, 0.37589848054017333),
        ];
        for (x, y, z, want) in cases {
            assert_eq!(n.noise3(x, y, z).to_bits(), want.to_bits(), "noise3({x}, {y}, {z})");
        }
    }
}
