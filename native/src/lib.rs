//! Native kernel for Crafter-OO: Crafter 1.8.3's world generation and step, bit for bit.
//!
//! The game lives in plain Rust modules named after the Python reference's (`rng`, `noise`,
//! `worldgen`, `state`, `world`, `player`, `creatures`, `balance`, `step`), which `cargo test`
//! exercises without Python. The Python binding (`py`) only converts between those structures and
//! numpy arrays, validating everything that crosses so bad input raises instead of panicking.

pub mod balance;
pub mod creatures;
pub mod noise;
pub mod player;
pub mod rng;
pub mod state;
pub mod step;
pub mod world;
pub mod worldgen;

mod py;

use pyo3::prelude::*;

/// The crate version, so Python can tell which kernel it loaded.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _kernel(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(version, m)?)?;
    py::register(m)
}
