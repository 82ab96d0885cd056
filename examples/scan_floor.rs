//! A second floor for `batch`: read every record of a CSV with the csv crate and run
//! one ASCII case-insensitive aho-corasick pass over every field with every name and
//! alias of the database (curated, synonyms and the CosIng names), counting matches.
//! It is what a keyword matcher over the whole name space costs; `scripts/bench-batch.sh`
//! compares `batch` on distinct labels with it.

fn main() {
    let path = std::env::args().nth(1).expect("usage: scan_floor FILE");
    let db = aftercare::Database::embedded().expect("the embedded database");
    let mut names: Vec<String> = db
        .all_entries()
        .flat_map(|e| {
            std::iter::once(e.name.to_string()).chain(e.aliases.iter().map(|a| a.to_string()))
        })
        .collect();
    names.extend(db.names.keys().cloned());
    let matcher = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(&names)
        .expect("an automaton of every name");
    let mut reader = csv::Reader::from_path(&path).expect("readable CSV");
    let mut record = csv::ByteRecord::new();
    let (mut records, mut matches) = (0u64, 0u64);
    while reader
        .read_byte_record(&mut record)
        .expect("well-formed CSV")
    {
        records += 1;
        for field in record.iter() {
            matches += matcher.find_iter(field).count() as u64;
        }
    }
    println!(
        "{records} records, {} names, {matches} matches",
        names.len()
    );
}
