//! The work behind `cargo xtask`: recording and checking fixtures.

pub mod fixtures;
