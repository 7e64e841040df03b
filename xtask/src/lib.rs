//! The work behind `cargo xtask`: recording and checking fixtures, and the benchmark.

pub mod bench;
pub mod fixtures;
