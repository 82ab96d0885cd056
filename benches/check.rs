//! Database load, automaton build and one-label checks. Run with `cargo bench`;
//! `scripts/bench.sh` adds whole-process timings with hyperfine.

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};

use aftercare::{Checker, Database, Options};

const LABEL: &str = "Water/Aqua/Eau, Glycerin, Butylene Glycol, Glycolic Acid 10%, Niacinamide, \
Cocos Nucifera (Coconut) Oil, Cetearyl Alcohol, Retinyl Palmitate, Sodium Hyaluronate, \
Citrus Limon (Lemon) Peel Oil, Phenoxyethanol, Parfum, Citric Acid, Linalool, \
[+/-: CI 77491, CI 77891]";

const UNKNOWN: &str =
    "Water, Glycerin, Glyco1ic Acid, Frobnicated Moonstone Extractium, Water Glycerin";

fn bench(c: &mut Criterion) {
    c.bench_function("database load (embedded CSV)", |b| {
        b.iter(|| Database::embedded().unwrap())
    });
    let db = Arc::new(Database::embedded().unwrap());
    c.bench_function("checker build (indexes)", |b| {
        b.iter(|| Checker::new(db.clone()))
    });
    c.bench_function(
        "load + build + first check of a typo label (lazy indexes built)",
        |b| {
            b.iter(|| {
                let checker = Checker::new(Arc::new(Database::embedded().unwrap()));
                checker.check(UNKNOWN, &Options::default()).unwrap()
            })
        },
    );
    let checker = Checker::new(db);
    let options = Options::default();
    checker.check(UNKNOWN, &options).unwrap();
    c.bench_function("check one real label (warm)", |b| {
        b.iter(|| checker.check(LABEL, &options).unwrap())
    });
    let long = LABEL.repeat(250);
    c.bench_function("check a 60,000-character label (warm)", |b| {
        b.iter(|| checker.check(&long, &options).unwrap())
    });
    let many: String = (0..20_000)
        .map(|i| ["Water", "Glycerin", "Squalane", "Niacinamide"][i % 4])
        .collect::<Vec<_>>()
        .join(", ");
    c.bench_function("check a label of 20,000 entries (warm)", |b| {
        b.iter(|| checker.check(&many, &options).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
