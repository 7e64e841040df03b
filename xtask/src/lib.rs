//! The work behind `cargo xtask`: recording and checking fixtures, the benchmark, and the
//! packaging check.

pub mod bench;
pub mod fixtures;
pub mod package;
