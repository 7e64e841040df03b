//! `cargo xtask`: project automation; its commands arrive with the adapters.

fn main() {}
