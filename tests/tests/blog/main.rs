//! The blog's integration tests, one module per part of the blog, in one test binary: each
//! binary links the whole server, so one binary builds and links once instead of once per part.
//! Every test starts the real server against a fresh database through the harness in `src/`.
//!
//! One part: `cargo test -p integration-tests --test blog accounts::`.

mod accounts;
mod addresses;
mod api;
mod comments;
mod export;
mod feeds;
mod import;
mod limits;
mod listings;
mod load;
mod old_addresses;
mod operations;
mod own_postgres;
mod pages;
mod people;
mod pooler;
mod private_cluster;
mod protections;
mod reading;
mod replicas;
mod search;
mod settings;
mod visibility;
mod writing;
