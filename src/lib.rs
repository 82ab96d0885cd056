//! `aftercare`: reads a skincare product's ingredient list and says whether it is safe
//! to use after a microneedling treatment, and from when.
//!
//! The pipeline flows one way: [`label`] splits text into ingredients, [`matcher`]
//! resolves each against the curated [`db`], [`assess`] applies the protocol and yields
//! one [`assess::Assessment`], and [`report`] writes it. The library never prints.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod assess;
pub mod batch;
pub mod catalog;
pub mod ci;
pub mod cosing_names;
pub mod csv_cut;
pub mod db;
pub mod explain;
pub mod input;
pub mod label;
pub mod matcher;
pub mod normalize;
pub mod plan;
pub mod policy;
pub mod report;
pub mod serve;
pub mod text_hash;
pub mod time;

pub use assess::{Assessment, CheckError, Checker, Options, Verdict};
pub use db::{Database, Profile};
