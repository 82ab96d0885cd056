//! Checks every record of a catalog on all cores, in bounded memory, and hands the
//! results back in input order. It owns the pipeline only: reading records is
//! `catalog`'s job and writing them is the caller's (a reporter).
//!
//! A reader thread cuts the catalog into chunks, workers check chunks, and the calling
//! thread puts them back in order. A fixed number of tickets bounds the chunks in
//! flight, so memory does not depend on the number of records.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};

use crate::assess::{Assessment, Checker, Options, TypeReading, Verdict};
use crate::catalog::{Catalog, RawRecord, Record};
use crate::text_hash::TextHash;
use rustc_hash::FxHashMap;

/// How to run a batch.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Worker threads; at least one.
    pub threads: usize,
    /// Records per chunk handed to a worker.
    pub chunk: usize,
    /// Chunks in flight at most (read, being checked, or waiting to be written).
    pub in_flight: usize,
    /// Bytes the workers may spend, together, remembering the answers of labels they
    /// have checked, so a label repeated across a catalog (shades, sizes, a feed's
    /// duplicates) is checked once; 0 remembers nothing. Only for a `keep` whose value
    /// does not hold the product name: records share a value when their label and type
    /// are the same and, unless the type was given, their names read as the same type.
    pub share_bytes: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Settings {
            threads,
            chunk: 256,
            in_flight: threads * 4,
            share_bytes: 0,
        }
    }
}

/// What became of one record: what the caller keeps of its assessment, or why it
/// could not be checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    Checked { verdict: Verdict, value: T },
    Failed(String),
}

/// One record and its outcome, in input order.
#[derive(Debug)]
pub struct Output<T> {
    pub record: Record,
    pub outcome: Outcome<T>,
}

/// Counts for the summary line and the exit code.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub read: u64,
    pub checked: u64,
    pub failed: u64,
    pub ok: u64,
    pub wait: u64,
    pub avoid: u64,
    /// Records answered from an earlier record with the same label.
    pub shared: u64,
}

impl Summary {
    fn count<T>(&mut self, outcome: &Outcome<T>) {
        self.read += 1;
        match outcome {
            Outcome::Failed(_) => self.failed += 1,
            Outcome::Checked { verdict, .. } => {
                self.checked += 1;
                match verdict {
                    Verdict::Ok => self.ok += 1,
                    Verdict::Wait => self.wait += 1,
                    Verdict::Avoid => self.avoid += 1,
                }
            }
        }
    }
}

/// Progress the caller may show: bytes read so far.
#[derive(Debug, Default)]
pub struct Progress {
    pub bytes: AtomicU64,
    pub records: AtomicU64,
}

/// Checks every record, turns each assessment into what the caller keeps with
/// `keep` (on the worker threads), and calls `sink` with each record in input order.
/// `sink` returns `Ok(false)` to stop early (`--strict`); an error from `sink` (a
/// closed pipe) stops the run and is returned.
pub fn run<T, E>(
    mut catalog: Catalog,
    checker: &Checker,
    options: &Options,
    settings: &Settings,
    progress: &Progress,
    keep: impl Fn(Assessment) -> T + Sync,
    mut sink: impl FnMut(Output<T>) -> Result<bool, E>,
) -> Result<Summary, E>
where
    T: Clone + Send,
{
    let threads = settings.threads.max(1);
    let in_flight = settings.in_flight.max(threads);
    let chunk = settings.chunk.max(1);
    let stop = AtomicBool::new(false);
    let shared = AtomicU64::new(0);
    let (work_tx, work_rx) = sync_channel::<(u64, Vec<RawRecord>)>(in_flight);
    let (done_tx, done_rx) = sync_channel::<(u64, Vec<Output<T>>)>(in_flight);
    let (ticket_tx, ticket_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        ticket_tx
            .send(())
            .expect("the ticket channel has room for every ticket");
    }
    let work_rx = Arc::new(Mutex::new(work_rx));
    let memo = Memo::new(settings.share_bytes);
    // The reading thread only cuts records; workers decode them, in parallel.
    let layout = catalog.layout().clone();
    let mut summary = std::thread::scope(|scope| {
        let layout = &layout;
        let stop = &stop;
        let memo = &memo;
        let keep = &keep;
        let shared = &shared;
        scope.spawn(move || {
            let mut seq = 0;
            loop {
                if ticket_rx.recv().is_err() || stop.load(Ordering::Relaxed) {
                    return;
                }
                let mut records = Vec::with_capacity(chunk);
                while records.len() < chunk {
                    match catalog.next_raw() {
                        Some(r) => records.push(r),
                        None => break,
                    }
                }
                progress.bytes.store(catalog.position(), Ordering::Relaxed);
                let last = records.len() < chunk;
                if !records.is_empty() && work_tx.send((seq, records)).is_err() {
                    return;
                }
                seq += 1;
                if last {
                    return;
                }
            }
        });
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                let mut worker = Worker {
                    checker,
                    defaults: options,
                    options: options.clone(),
                    memo,
                    shared: 0,
                };
                loop {
                    let next = work_rx
                        .lock()
                        .expect("no worker panics holding the lock")
                        .recv();
                    let Ok((seq, records)) = next else { break };
                    let outputs = records
                        .into_iter()
                        .map(|raw| {
                            let record = layout.record(raw);
                            let outcome = worker.check(&record, keep);
                            Output { record, outcome }
                        })
                        .collect();
                    if done_tx.send((seq, outputs)).is_err() {
                        break;
                    }
                }
                shared.fetch_add(worker.shared, Ordering::Relaxed);
            });
        }
        drop(done_tx);
        let result = write_in_order(done_rx, &ticket_tx, progress, &mut sink);
        // Whatever happened, let the reader and workers finish.
        stop.store(true, Ordering::Relaxed);
        drop(ticket_tx);
        result
    })?;
    summary.shared = shared.load(Ordering::Relaxed);
    Ok(summary)
}

/// Receives checked chunks and hands their records to `sink` in sequence order.
fn write_in_order<T, E>(
    done_rx: Receiver<(u64, Vec<Output<T>>)>,
    tickets: &std::sync::mpsc::SyncSender<()>,
    progress: &Progress,
    sink: &mut impl FnMut(Output<T>) -> Result<bool, E>,
) -> Result<Summary, E> {
    let mut summary = Summary::default();
    let mut pending: BTreeMap<u64, Vec<Output<T>>> = BTreeMap::new();
    let mut next = 0;
    for (seq, outputs) in done_rx {
        pending.insert(seq, outputs);
        while let Some(outputs) = pending.remove(&next) {
            next += 1;
            for output in outputs {
                summary.count(&output.outcome);
                progress.records.fetch_add(1, Ordering::Relaxed);
                if !sink(output)? {
                    return Ok(summary);
                }
            }
            let _ = tickets.try_send(());
        }
    }
    Ok(summary)
}

/// One worker thread's state: its options (the record's name and type set per
/// record) and the answers it remembers.
struct Worker<'a, T> {
    checker: &'a Checker,
    defaults: &'a Options,
    options: Options,
    memo: &'a Memo<'a, T>,
    shared: u64,
}

impl<T: Clone> Worker<'_, T> {
    /// Checks one record with its own name and type.
    fn check(&mut self, record: &Record, keep: &impl Fn(Assessment) -> T) -> Outcome<T> {
        // Remembered by the cell as it stands: a Python list is unfolded only when its
        // label is new.
        let cell = match record.ingredient_cell() {
            Err(e) => return Outcome::Failed(e.to_string()),
            Ok(cell) => cell,
        };
        let name = record.name().or(self.defaults.name.as_deref());
        let product_type = record
            .product_type()
            .or(self.defaults.product_type.as_deref());
        let checker = self.checker;
        // Read at most once, and only when a remembered answer or a new one needs it.
        let read = std::cell::OnceCell::new();
        let reading = || {
            read.get_or_init(|| name.map(|n| checker.read_type(n)))
                .clone()
        };
        if let Some(outcome) = self.memo.get(cell, product_type, reading) {
            self.shared += 1;
            return outcome;
        }
        set(&mut self.options.name, name);
        set(&mut self.options.product_type, product_type);
        let label = crate::catalog::unfold_python_list(cell);
        match self.checker.check(&label, &self.options) {
            Ok(a) => {
                let verdict = a.verdict;
                // A type read from the given type never looked at the name; otherwise
                // the answer holds for names that read the same (`Product 12`, `Product
                // 13`: no type in either).
                let name_mattered = a.product_type_source != "given";
                let outcome = Outcome::Checked {
                    verdict,
                    value: keep(a),
                };
                if self.memo.enabled() {
                    let reading = name_mattered.then(reading);
                    self.memo.put(cell, product_type, reading, outcome.clone());
                }
                outcome
            }
            // Why a label cannot be checked depends on the label alone: a placeholder or
            // a list of unknown names is remembered too.
            Err(e) => {
                let outcome = Outcome::Failed(e.to_string());
                if self.memo.enabled() {
                    self.memo.put(cell, product_type, None, outcome.clone());
                }
                outcome
            }
        }
    }
}

/// Sets an option to a record's value, reusing its allocation.
fn set(slot: &mut Option<String>, value: Option<&str>) {
    match (slot.as_mut(), value) {
        (Some(s), Some(v)) => {
            s.clear();
            s.push_str(v);
        }
        (_, v) => *slot = v.map(str::to_string),
    }
}

/// One shard of the memo, in two generations: when the newer one is
/// full the older is dropped, and a label found in the older one moves to the newer,
/// so labels that keep coming back stay while one-offs age out.
struct Shard<'a, T> {
    limit: usize,
    bytes: usize,
    young: FxHashMap<u128, Remembered<'a, T>>,
    old: FxHashMap<u128, Remembered<'a, T>>,
}

/// Answers remembered by label and type, shared by the workers: a label is
/// checked once however many workers meet it. Sharded, so workers seldom wait on
/// each other.
///
/// A label and type are known again by a hash of them (`TextHash`), not by their
/// text: a catalog's labels are long, and holding hashes instead lets the same bytes
/// remember three times as many answers.
struct Memo<'a, T> {
    hash: TextHash,
    shards: Vec<Mutex<Shard<'a, T>>>,
}

const SHARDS: usize = 16;

impl<'a, T: Clone> Memo<'a, T> {
    fn new(bytes: usize) -> Memo<'a, T> {
        let shards = if bytes == 0 { 0 } else { SHARDS };
        Memo {
            hash: TextHash::new(),
            shards: (0..shards)
                .map(|_| Mutex::new(Shard::new(bytes / SHARDS)))
                .collect(),
        }
    }

    fn enabled(&self) -> bool {
        !self.shards.is_empty()
    }

    fn key(&self, label: &str, product_type: Option<&str>) -> u128 {
        let mut h = self.hash.pieces();
        h.update(label.as_bytes());
        // 0xFE and 0xFF never occur in UTF-8, so the label ends where they start, and
        // a missing type differs from an empty one.
        match product_type {
            None => h.update(&[0xFE]),
            Some(t) => {
                h.update(&[0xFF]);
                h.update(t.as_bytes());
            }
        }
        h.digest128()
    }

    fn shard(&self, key: u128) -> std::sync::MutexGuard<'_, Shard<'a, T>> {
        self.shards[(key >> 64) as usize % self.shards.len()]
            .lock()
            .expect("no worker panics holding the lock")
    }

    fn get(
        &self,
        label: &str,
        product_type: Option<&str>,
        reading: impl FnOnce() -> NameReading<'a>,
    ) -> Option<Outcome<T>> {
        if !self.enabled() {
            return None;
        }
        let key = self.key(label, product_type);
        self.shard(key).get(key, reading)
    }

    fn put(
        &self,
        label: &str,
        product_type: Option<&str>,
        name: Option<NameReading<'a>>,
        outcome: Outcome<T>,
    ) {
        let key = self.key(label, product_type);
        self.shard(key).put(key, name, outcome);
    }
}

/// The reading of a product's name (`None`: no name).
type NameReading<'a> = Option<TypeReading<'a>>;

/// An answer remembered under its label and type's hash.
struct Remembered<'a, T> {
    /// How the name read, when the name could change the answer.
    name: Option<NameReading<'a>>,
    outcome: Outcome<T>,
}

impl<'a, T> Remembered<'a, T> {
    /// Whether the answer holds for a record whose name reads as `reading` says.
    fn fits(&self, reading: impl FnOnce() -> NameReading<'a>) -> bool {
        self.name.as_ref().is_none_or(|n| *n == reading())
    }

    /// A rough size: the key, the entry, and what `T` holds counted as 256 bytes.
    fn weight(&self) -> usize {
        std::mem::size_of::<u128>() + std::mem::size_of::<Self>() + 256
    }
}

impl<'a, T: Clone> Shard<'a, T> {
    fn new(limit: usize) -> Shard<'a, T> {
        Shard {
            limit,
            bytes: 0,
            young: FxHashMap::default(),
            old: FxHashMap::default(),
        }
    }

    fn get(&mut self, key: u128, reading: impl FnOnce() -> NameReading<'a>) -> Option<Outcome<T>> {
        if let Some(r) = self.young.get(&key) {
            return r.fits(reading).then(|| r.outcome.clone());
        }
        let r = self.old.remove(&key)?;
        if !r.fits(reading) {
            return None;
        }
        let answer = r.outcome.clone();
        self.insert(key, r);
        Some(answer)
    }

    fn put(&mut self, key: u128, name: Option<NameReading<'a>>, outcome: Outcome<T>) {
        self.insert(key, Remembered { name, outcome });
    }

    fn insert(&mut self, key: u128, r: Remembered<'a, T>) {
        let weight = r.weight();
        if weight > self.limit / 4 {
            return;
        }
        if self.bytes + weight > self.limit / 2 {
            self.old = std::mem::take(&mut self.young);
            self.bytes = 0;
        }
        self.bytes += weight;
        if let Some(previous) = self.young.insert(key, r) {
            self.bytes -= previous.weight().min(self.bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::catalog::Columns;

    fn catalog(csv: String) -> Catalog {
        Catalog::from_reader(
            Box::new(std::io::Cursor::new(csv.into_bytes())),
            "test.csv",
            &Columns::default(),
            None,
        )
        .expect("a valid catalog")
    }

    type Kept = Arc<(Verdict, Option<u32>)>;

    /// Runs a catalog keeping verdict and wait, with answers shared: every outcome.
    fn outcomes(csv: String, threads: usize) -> (Vec<Outcome<Kept>>, Summary) {
        let checker = Checker::embedded().expect("the embedded database loads");
        let settings = Settings {
            threads,
            share_bytes: 1 << 20,
            ..Settings::default()
        };
        let mut out = Vec::new();
        let summary = run(
            catalog(csv),
            &checker,
            &Options::default(),
            &settings,
            &Progress::default(),
            |a| Arc::new((a.verdict, a.wait_hours)),
            |o| {
                out.push(o.outcome);
                Ok::<bool, ()>(true)
            },
        )
        .expect("the sink never fails");
        (out, summary)
    }

    /// The same, keeping the records that were checked.
    fn answers(csv: String, threads: usize) -> (Vec<(Verdict, Option<u32>)>, Summary) {
        let (out, summary) = outcomes(csv, threads);
        let checked = out
            .into_iter()
            .filter_map(|o| match o {
                Outcome::Checked { value, .. } => Some(*value),
                Outcome::Failed(_) => None,
            })
            .collect();
        (checked, summary)
    }

    #[test]
    fn a_repeated_label_is_checked_once() {
        let mut csv = String::from("id,name,type,ingredients\n");
        for i in 0..200 {
            csv.push_str(&format!(
                "{i},Product {i},serum,\"Water, Retinol, Glycerin\"\n"
            ));
        }
        let (out, summary) = answers(csv, 2);
        assert_eq!(out.len(), 200);
        assert!(out.iter().all(|a| *a == out[0]), "{out:?}");
        assert_eq!(out[0].0, Verdict::Wait);
        // Each worker may check it once before the other has remembered it.
        assert!(summary.shared >= 198, "{summary:?}");
    }

    #[test]
    fn a_repeated_python_list_is_read_as_its_list_and_shared() {
        let mut csv = String::from("id,type,ingredients\n");
        for i in 0..50 {
            csv.push_str(&format!("{i},serum,\"['Water', 'Retinol']\"\n"));
        }
        csv.push_str("50,serum,\"Water, Retinol\"\n");
        let (out, summary) = answers(csv, 1);
        assert_eq!(out.len(), 51);
        assert!(out.iter().all(|a| *a == out[0]), "{out:?}");
        assert_eq!(out[0].0, Verdict::Wait, "the list's retinol is read");
        // The list is one cell, the plain label another: each is checked once.
        assert_eq!(summary.shared, 49, "{summary:?}");
    }

    #[test]
    fn names_that_read_differently_get_their_own_answers() {
        // No type column: the name gives the type, so equal labels differ.
        let csv = "id,name,ingredients\n\
                   1,Hydrating Foundation,\"Water, Glycerin\"\n\
                   2,Matte Foundation,\"Water, Glycerin\"\n\
                   3,Hydrating Serum,\"Water, Glycerin\"\n\
                   4,Daily Serum,\"Water, Glycerin\"\n"
            .to_string();
        let (out, summary) = answers(csv, 1);
        assert_eq!(out[0], out[1]);
        assert_eq!(out[2], out[3]);
        assert_ne!(out[0], out[2], "a foundation is makeup, a serum is not");
        // Two foundations read the same, and so do two names with no type in them.
        assert_eq!(summary.shared, 2, "{summary:?}");
    }

    #[test]
    fn a_repeated_label_that_cannot_be_checked_is_read_once() {
        let mut csv = String::from("id,ingredients\n");
        for i in 0..100 {
            csv.push_str(&format!("{i},\"Zorbulite, Quaxifene\"\n{i},No Info\n"));
        }
        let (out, summary) = outcomes(csv, 1);
        let errors: Vec<String> = out
            .into_iter()
            .filter_map(|o| match o {
                Outcome::Failed(e) => Some(e),
                Outcome::Checked { .. } => None,
            })
            .collect();
        assert_eq!((summary.read, summary.failed), (200, 200));
        assert_eq!(summary.shared, 198, "{summary:?}");
        // Shared or not, each record carries its label's own error.
        assert!(
            errors[0].contains("none of the 2 item(s) is a known"),
            "{errors:?}"
        );
        assert!(errors[1].contains("placeholder"), "{errors:?}");
        assert!(errors.chunks(2).all(|p| p == &errors[..2]));
    }

    #[test]
    fn without_sharing_every_label_is_checked() {
        let checker = Checker::embedded().expect("the embedded database loads");
        let csv = "ingredients\nWater\nWater\nWater\n".to_string();
        let summary = run(
            catalog(csv),
            &checker,
            &Options::default(),
            &Settings::default(),
            &Progress::default(),
            |a| a.verdict,
            |_| Ok::<bool, ()>(true),
        )
        .expect("the sink never fails");
        assert_eq!((summary.checked, summary.shared), (3, 0));
    }

    #[test]
    fn the_memo_stays_within_its_bytes() {
        let limit = 1 << 20;
        let memo: Memo<'_, u32> = Memo::new(limit);
        let checked = |i| Outcome::Checked {
            verdict: Verdict::Ok,
            value: i,
        };
        for i in 0..50_000u32 {
            let label = format!("Water, Glycerin, Ingredient {i}");
            memo.put(&label, None, None, checked(i));
            if i % 1000 == 0 {
                let held: usize = memo
                    .shards
                    .iter()
                    .map(|s| {
                        let s = s.lock().unwrap();
                        s.young
                            .values()
                            .chain(s.old.values())
                            .map(Remembered::weight)
                            .sum::<usize>()
                    })
                    .sum();
                assert!(held <= limit, "{held} bytes held after {i} labels");
            }
        }
        // The last labels are still there; old ones have aged out.
        let label = "Water, Glycerin, Ingredient 49999";
        assert_eq!(memo.get(label, None, || None), Some(checked(49999)));
        assert_eq!(
            memo.get("Water, Glycerin, Ingredient 0", None, || None),
            None
        );
    }

    #[test]
    fn the_memo_tells_labels_types_and_names_apart() {
        let memo: Memo<'_, u32> = Memo::new(1 << 20);
        let checked = |i| Outcome::Checked {
            verdict: Verdict::Ok,
            value: i,
        };
        let serum = TypeReading::Words {
            base: Some("serum"),
            mineral: false,
        };
        memo.put("Water, Retinol", Some("serum"), None, checked(1));
        memo.put(
            "Water, Retinol",
            None,
            Some(Some(serum.clone())),
            checked(2),
        );
        memo.put("Water, Retinol", Some(""), None, checked(3));
        assert_eq!(
            memo.get("Water, Retinol", Some("serum"), || None),
            Some(checked(1))
        );
        assert_eq!(
            memo.get("Water, Retinol", Some(""), || None),
            Some(checked(3))
        );
        assert_eq!(
            memo.get("Water, Retinol, Glycerin", Some("serum"), || None),
            None
        );
        assert_eq!(memo.get("Water, Retinol", Some("toner"), || None), None);
        // No type given: the answer holds only for a name that reads the same.
        assert_eq!(
            memo.get("Water, Retinol", None, || Some(serum.clone())),
            Some(checked(2))
        );
        assert_eq!(memo.get("Water, Retinol", None, || None), None);
        // Where the label ends and the type starts is part of the key.
        assert_eq!(memo.get("Water, Retinolserum", None, || None), None);
        assert_eq!(memo.get("Water, Retinolserum", Some(""), || None), None);
    }
}
