//! Native kernel for Crafter-OO. The game itself lands with the kernel issue; this module only
//! reports its version so the build, the wheel layout and the import path are exercised from day one.
use pyo3::prelude::*;

/// The crate version, so Python can tell which kernel it loaded.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _kernel(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
