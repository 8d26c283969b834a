//! Times world generation and noise evaluation without Python: `cargo run --release --example profile`.
use std::time::Instant;

fn main() {
    let n = _kernel::noise::OpenSimplex::new(12345);
    let t = Instant::now();
    let mut s = 0.0;
    for i in 0..1_000_000 {
        let x = (i % 64) as f64 / 7.0;
        let y = (i / 64 % 64) as f64 / 7.0;
        s += n.noise3(x, y, 6.0);
    }
    println!("noise3: {:.1} ns/call ({s})", t.elapsed().as_nanos() as f64 / 1e6);
    let t = Instant::now();
    let mut objs = 0;
    for seed in 0..200u64 {
        objs += _kernel::worldgen::generate(seed, 1, 1).objs.len();
    }
    println!("generate: {:.3} ms/world ({objs})", t.elapsed().as_secs_f64() * 1e3 / 200.0);
}
