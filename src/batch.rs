//! Checks every record of a catalog on all cores, in bounded memory, and hands the
//! results back in input order. It owns the pipeline only: reading records is
//! `catalog`'s job and writing them is the caller's (a reporter).
//!
//! The calling thread cuts the catalog into chunks of records, workers decode, check
//! and render them, and the calling thread hands them back in order; whenever it
//! would wait for a worker, it checks the next chunk no worker has taken. At most a
//! fixed number of chunks are out at once, so memory does not depend on the number
//! of records.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, TryLockError};

use crate::assess::{Assessment, Checker, Options, TypeReading, Verdict};
use crate::catalog::{Catalog, Layout, RawRecord, Record};
use crate::text_hash::TextHash;
use rustc_hash::FxHashMap;

/// How to run a batch.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Threads checking records, the calling thread among them (it also reads and
    /// writes them); at least one.
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

impl Settings {
    /// The settings for a number of threads: two chunks in flight for each, one being
    /// checked and one waiting, so a worker never waits for the reader.
    pub fn with_threads(threads: usize) -> Settings {
        Settings {
            threads,
            chunk: 256,
            in_flight: threads * 2,
            share_bytes: 0,
        }
    }
}

impl Default for Settings {
    /// One thread per core, the calling one among them.
    fn default() -> Settings {
        Settings::with_threads(std::thread::available_parallelism().map_or(2, |n| n.get()))
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

impl<T> Output<T> {
    /// The record and its outcome once its value has been rendered: what a `Keep`
    /// that renders everything sends on.
    pub fn rendered(self) -> Output<()> {
        Output {
            record: self.record,
            outcome: self.outcome.map(drop),
        }
    }
}

/// Counts for the summary line and the exit code.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub read: u64,
    pub checked: u64,
    pub failed: u64,
    pub ok: u64,
    pub wait: u64,
    pub review: u64,
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
                    Verdict::Review => self.review += 1,
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

/// What the workers make of each record besides its check: what is kept of its
/// assessment and what of the record reaches the sink, optionally rendered for
/// output, so that the thread writing in input order only copies bytes. A closure
/// `Fn(Assessment) -> T` keeps `T`, sends it on, and renders nothing.
pub trait Keep: Sync {
    /// What is kept of an assessment (shared by records with the same label when
    /// `Settings::share_bytes` is set).
    type Value: Clone + Send;
    /// What of the kept value reaches the sink.
    type Sent: Send;

    fn keep(&self, assessment: Assessment) -> Self::Value;

    /// What of a checked record reaches the sink; what is rendered for it is
    /// appended to `out`.
    fn send(&self, output: Output<Self::Value>, out: &mut Vec<u8>) -> Output<Self::Sent>;
}

impl<T: Clone + Send, F: Fn(Assessment) -> T + Sync> Keep for F {
    type Value = T;
    type Sent = T;

    fn keep(&self, assessment: Assessment) -> T {
        self(assessment)
    }

    fn send(&self, output: Output<T>, _out: &mut Vec<u8>) -> Output<T> {
        output
    }
}

impl<T> Outcome<T> {
    /// The same outcome with the value made into another.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Checked { verdict, value } => Outcome::Checked {
                verdict,
                value: f(value),
            },
            Outcome::Failed(e) => Outcome::Failed(e),
        }
    }
}

/// Where checked records go, in input order: each record, then the bytes rendered
/// for the records it accepted, a chunk at a time. A closure
/// `FnMut(Output<T>) -> Result<bool, E>` takes the records and ignores the bytes.
pub trait Sink<T> {
    type Error;

    /// Takes a record; `Ok(false)` stops the run before it (`--strict`), and an error
    /// (a closed pipe) stops it and is returned.
    fn record(&mut self, output: Output<T>) -> Result<bool, Self::Error>;

    /// Takes what was rendered for the records taken since the last call.
    fn write(&mut self, _rendered: &[u8]) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl<T, E, F: FnMut(Output<T>) -> Result<bool, E>> Sink<T> for F {
    type Error = E;

    fn record(&mut self, output: Output<T>) -> Result<bool, E> {
        self(output)
    }
}

/// Checks every record, makes of each what `keep` says (on `settings.threads`
/// threads, the calling one among them), and hands each record to `sink` in input
/// order, then the bytes rendered for it.
pub fn run<K: Keep, S: Sink<K::Sent>>(
    mut catalog: Catalog,
    checker: &Checker,
    options: &Options,
    settings: &Settings,
    progress: &Progress,
    keep: &K,
    mut sink: S,
) -> Result<Summary, S::Error> {
    let threads = settings.threads.max(1);
    let in_flight = settings.in_flight.max(threads);
    let settings = &Settings {
        threads,
        in_flight,
        chunk: settings.chunk.max(1),
        share_bytes: settings.share_bytes,
    };
    let shared = AtomicU64::new(0);
    // At most `in_flight` chunks are sent and not yet written, so neither channel
    // ever fills.
    let (work_tx, work_rx) = sync_channel::<(u64, Vec<RawRecord>, Done<K::Sent>)>(in_flight);
    let (done_tx, done_rx) = sync_channel::<(u64, Done<K::Sent>)>(in_flight);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let memo = Memo::new(settings.share_bytes);
    let layout = catalog.layout().clone();
    let mut summary = std::thread::scope(|scope| {
        let layout = &layout;
        let memo = &memo;
        let shared = &shared;
        // This thread is one of the `threads`: it cuts records, writes the checked
        // ones in order, and checks chunks itself whenever it would otherwise wait.
        // A thread more than there are cores would take turns with the workers, and
        // the queue would run dry while the cutting thread waited for its turn.
        for _ in 1..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                let mut worker = Worker::new(checker, options, memo);
                loop {
                    let next = work_rx
                        .lock()
                        .expect("no worker panics holding the lock")
                        .recv();
                    let Ok((seq, records, done)) = next else {
                        break;
                    };
                    let done = worker.check_chunk(layout, records, done, keep);
                    if done_tx.send((seq, done)).is_err() {
                        break;
                    }
                }
                shared.fetch_add(worker.shared, Ordering::Relaxed);
            });
        }
        drop(done_tx);
        let mut worker = Worker::new(checker, options, memo);
        // A chunk sent and not yet taken by a worker, checked here. A worker holding
        // the queue is taking the next chunk or waiting for one: none for this thread.
        let help = || {
            let next = match work_rx.try_lock() {
                Ok(queue) => queue.try_recv().ok(),
                Err(TryLockError::WouldBlock) => None,
                Err(TryLockError::Poisoned(_)) => panic!("a worker panicked holding the queue"),
            };
            let (seq, records, done) = next?;
            Some((seq, worker.check_chunk(layout, records, done, keep)))
        };
        let result = read_and_write(
            &mut catalog,
            settings,
            &work_tx,
            &done_rx,
            help,
            progress,
            &mut sink,
        );
        shared.fetch_add(worker.shared, Ordering::Relaxed);
        // Whatever happened, let the workers finish.
        drop(work_tx);
        result
    })?;
    summary.shared = shared.load(Ordering::Relaxed);
    Ok(summary)
}

/// A checked chunk: its records with their outcomes, and what was rendered for them,
/// one after the other (record `i`'s bytes end at `ends[i]`).
struct Done<T> {
    outputs: Vec<Output<T>>,
    ends: Vec<usize>,
    rendered: Vec<u8>,
}

impl<T> Default for Done<T> {
    fn default() -> Done<T> {
        Done {
            outputs: Vec::new(),
            ends: Vec::new(),
            rendered: Vec::new(),
        }
    }
}

/// Sends chunks of records to the workers while fewer than `in_flight` are out, and
/// hands checked records to `sink` in input order. A chunk's room for its results
/// goes out with its records and comes back, emptied, once they are written:
/// buffers are reused, not made anew.
fn read_and_write<T, S: Sink<T>>(
    catalog: &mut Catalog,
    settings: &Settings,
    work_tx: &SyncSender<(u64, Vec<RawRecord>, Done<T>)>,
    done_rx: &Receiver<(u64, Done<T>)>,
    mut help: impl FnMut() -> Option<(u64, Done<T>)>,
    progress: &Progress,
    sink: &mut S,
) -> Result<Summary, S::Error> {
    let (chunk, in_flight) = (settings.chunk, settings.in_flight);
    let mut summary = Summary::default();
    let mut spare: Vec<Done<T>> = (0..in_flight).map(|_| Done::default()).collect();
    let mut pending: BTreeMap<u64, Done<T>> = BTreeMap::new();
    let (mut sent, mut written) = (0, 0);
    let mut all_read = false;
    loop {
        while !all_read && let Some(done) = spare.pop() {
            let mut records = Vec::with_capacity(chunk);
            while records.len() < chunk {
                match catalog.next_raw() {
                    Some(r) => records.push(r),
                    None => break,
                }
            }
            progress.bytes.store(catalog.position(), Ordering::Relaxed);
            all_read = records.len() < chunk;
            if records.is_empty() {
                spare.push(done);
                break;
            }
            if work_tx.send((sent, records, done)).is_err() {
                // The workers are gone (only a panic does that).
                return Ok(summary);
            }
            sent += 1;
        }
        if all_read && written == sent {
            return Ok(summary);
        }
        // A checked chunk if there is one; else a chunk to check here; else wait.
        let next = done_rx.try_recv().ok().or_else(&mut help);
        let Some((seq, done)) = next.or_else(|| done_rx.recv().ok()) else {
            return Ok(summary);
        };
        pending.insert(seq, done);
        while let Some(mut done) = pending.remove(&written) {
            written += 1;
            let mut taken = 0;
            for (output, &end) in done.outputs.drain(..).zip(&done.ends) {
                summary.count(&output.outcome);
                progress.records.fetch_add(1, Ordering::Relaxed);
                if !sink.record(output)? {
                    sink.write(&done.rendered[..taken])?;
                    return Ok(summary);
                }
                taken = end;
            }
            sink.write(&done.rendered)?;
            done.ends.clear();
            done.rendered.clear();
            spare.push(done);
        }
    }
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

impl<'a, T: Clone> Worker<'a, T> {
    fn new(checker: &'a Checker, options: &'a Options, memo: &'a Memo<'a, T>) -> Worker<'a, T> {
        Worker {
            checker,
            defaults: options,
            options: options.clone(),
            memo,
            shared: 0,
        }
    }

    /// Decodes, checks and renders a chunk of records into `done`.
    fn check_chunk<K: Keep<Value = T>>(
        &mut self,
        layout: &Layout,
        records: Vec<RawRecord>,
        mut done: Done<K::Sent>,
        keep: &K,
    ) -> Done<K::Sent> {
        let records: Vec<Record> = records.into_iter().map(|raw| layout.record(raw)).collect();
        let outcomes = self.check_all(&records, keep);
        for (record, outcome) in records.into_iter().zip(outcomes) {
            let output = keep.send(Output { record, outcome }, &mut done.rendered);
            done.outputs.push(output);
            done.ends.push(done.rendered.len());
        }
        done
    }

    /// Checks a chunk's records. The answers remembered for them are looked up
    /// together first, a lock per shard and one probe after another, so the waits for
    /// memory overlap instead of adding up; the rest are checked one by one.
    fn check_all(&mut self, records: &[Record], keep: &impl Keep<Value = T>) -> Vec<Outcome<T>> {
        // How each name reads as a type: read at most once, and only when a remembered
        // answer or a new one needs it.
        let reads: Vec<OnceCell<NameReading<'a>>> =
            records.iter().map(|_| OnceCell::new()).collect();
        // Each record's key in the memory of answers, computed once (`None`: nothing
        // is remembered, or the record cannot be checked).
        let keys: Vec<Option<u128>> = records
            .iter()
            .map(|r| {
                let cell = r.ingredient_cell().ok()?;
                self.memo
                    .enabled()
                    .then(|| self.memo.key(cell, self.product_type(r)))
            })
            .collect();
        let found = self.memo.get_all(&keys, |i| {
            read_name(self.checker, self.defaults, &records[i], &reads[i])
        });
        records
            .iter()
            .zip(&reads)
            .zip(keys.into_iter().zip(found))
            .map(|((record, read), (key, found))| match found {
                Some(outcome) => {
                    self.shared += 1;
                    outcome
                }
                None => self.check(record, key, read, keep),
            })
            .collect()
    }

    /// The type given for a record, or by default.
    fn product_type<'r>(&self, record: &'r Record) -> Option<&'r str>
    where
        'a: 'r,
    {
        record
            .product_type()
            .or(self.defaults.product_type.as_deref())
    }

    /// Checks one record with its own name and type, unless its answer has been
    /// remembered meanwhile (by another worker, or for an earlier record of the chunk)
    /// under `key`, its key in the memory of answers.
    fn check(
        &mut self,
        record: &Record,
        key: Option<u128>,
        read: &OnceCell<NameReading<'a>>,
        keep: &impl Keep<Value = T>,
    ) -> Outcome<T> {
        // Remembered by the cell as it stands: a Python list is unfolded only when its
        // label is new.
        let cell = match record.ingredient_cell() {
            Err(e) => return Outcome::Failed(e.to_string()),
            Ok(cell) => cell,
        };
        let name = record.name().or(self.defaults.name.as_deref());
        let product_type = self.product_type(record);
        let (checker, defaults) = (self.checker, self.defaults);
        let reading = || read_name(checker, defaults, record, read);
        if let Some(outcome) = key.and_then(|key| self.memo.get(key, reading)) {
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
                    value: keep.keep(a),
                };
                if let Some(key) = key {
                    let reading = name_mattered.then(reading);
                    self.memo.put(key, reading, outcome.clone());
                }
                outcome
            }
            // Why a label cannot be checked depends on the label alone: a placeholder or
            // a list of unknown names is remembered too.
            Err(e) => {
                let outcome = Outcome::Failed(e.to_string());
                if let Some(key) = key {
                    self.memo.put(key, None, outcome.clone());
                }
                outcome
            }
        }
    }
}

/// How a record's name (or the default name) reads as a type, read once into `read`.
fn read_name<'a>(
    checker: &'a Checker,
    defaults: &Options,
    record: &Record,
    read: &OnceCell<NameReading<'a>>,
) -> NameReading<'a> {
    read.get_or_init(|| {
        record
            .name()
            .or(defaults.name.as_deref())
            .map(|n| checker.read_type(n))
    })
    .clone()
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

    /// The key of a label and type: the hash of the label's hash, a marker and the
    /// type. Two one-pass hashes cost less than one hash fed in pieces, which sets up
    /// a streaming state for every record.
    fn key(&self, label: &str, product_type: Option<&str>) -> u128 {
        const SHORT: usize = 64;
        let mut buf = [0u8; 16 + 1 + SHORT];
        buf[..16].copy_from_slice(&self.hash.of(label.as_bytes()).to_le_bytes());
        // A missing type and an empty one differ by their marker.
        match product_type {
            None => self.hash.of(&buf[..17]),
            Some(t) if t.len() <= SHORT => {
                buf[16] = 1;
                buf[17..17 + t.len()].copy_from_slice(t.as_bytes());
                self.hash.of(&buf[..17 + t.len()])
            }
            Some(t) => {
                let mut h = self.hash.pieces();
                buf[16] = 1;
                h.update(&buf[..17]);
                h.update(t.as_bytes());
                h.digest128()
            }
        }
    }

    fn shard_of(&self, key: u128) -> usize {
        (key >> 64) as usize % self.shards.len()
    }

    fn shard(&self, key: u128) -> std::sync::MutexGuard<'_, Shard<'a, T>> {
        self.shards[self.shard_of(key)]
            .lock()
            .expect("no worker panics holding the lock")
    }

    /// The answers remembered for each key (`None`: a record that cannot be
    /// checked), a shard at a time; `reading(i)` is how record `i`'s name reads.
    fn get_all(
        &self,
        keys: &[Option<u128>],
        reading: impl Fn(usize) -> NameReading<'a>,
    ) -> Vec<Option<Outcome<T>>> {
        let mut found: Vec<Option<Outcome<T>>> = keys.iter().map(|_| None).collect();
        let mut by_shard: Vec<Vec<usize>> = vec![Vec::new(); self.shards.len()];
        for (i, key) in keys.iter().enumerate() {
            if let Some(key) = key {
                by_shard[self.shard_of(*key)].push(i);
            }
        }
        for (shard, indices) in by_shard.iter().enumerate() {
            if indices.is_empty() {
                continue;
            }
            let mut shard = self.shards[shard]
                .lock()
                .expect("no worker panics holding the lock");
            for &i in indices {
                let key = keys[i].expect("only records with a key are in a shard's list");
                found[i] = shard.get(key, || reading(i));
            }
        }
        found
    }

    /// The answer remembered under `key` (see `key`) for a name that reads as
    /// `reading` says.
    fn get(&self, key: u128, reading: impl FnOnce() -> NameReading<'a>) -> Option<Outcome<T>> {
        self.shard(key).get(key, reading)
    }

    fn put(&self, key: u128, name: Option<NameReading<'a>>, outcome: Outcome<T>) {
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

    /// A checked outcome whose value is `i`.
    fn checked(i: u32) -> Outcome<u32> {
        Outcome::Checked {
            verdict: Verdict::Ok,
            value: i,
        }
    }

    /// How a serum's name reads.
    fn serum() -> TypeReading<'static> {
        TypeReading::Words {
            base: Some("serum"),
            mineral: false,
        }
    }

    type Kept = Arc<(Verdict, Option<u32>)>;

    /// Runs a catalog keeping what `keep` makes of each assessment: every outcome.
    fn run_keeping<T: Clone + Send>(
        csv: String,
        settings: &Settings,
        keep: impl Fn(Assessment) -> T + Sync,
    ) -> (Vec<Outcome<T>>, Summary) {
        let checker = Checker::embedded().expect("the embedded database loads");
        let mut out = Vec::new();
        let summary = run(
            catalog(csv),
            &checker,
            &Options::default(),
            settings,
            &Progress::default(),
            &keep,
            |o: Output<_>| {
                out.push(o.outcome);
                Ok::<bool, ()>(true)
            },
        )
        .expect("the sink never fails");
        (out, summary)
    }

    /// Runs a catalog keeping verdict and wait, with answers shared: every outcome.
    fn outcomes(csv: String, threads: usize) -> (Vec<Outcome<Kept>>, Summary) {
        let settings = Settings {
            threads,
            share_bytes: 1 << 20,
            ..Settings::default()
        };
        run_keeping(csv, &settings, |a: Assessment| {
            Arc::new((a.verdict, a.wait_hours))
        })
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
    fn the_calling_thread_checks_when_it_would_wait() {
        // One thread: no worker is started, and the calling thread checks every
        // chunk; with more, it checks those no worker has taken yet.
        let mut csv = String::from("id,ingredients\n");
        for i in 0..1000 {
            csv.push_str(&format!("{i},\"Water, Glycerin\"\n"));
        }
        let caller = std::thread::current().id();
        let settings = Settings {
            chunk: 16,
            ..Settings::with_threads(1)
        };
        let (out, summary) = run_keeping(csv, &settings, |_| std::thread::current().id());
        let here = Outcome::Checked {
            verdict: Verdict::Ok,
            value: caller,
        };
        assert!(out.iter().all(|o| *o == here), "{out:?}");
        assert_eq!((out.len(), summary.checked), (1000, 1000));
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
            &|a: Assessment| a.verdict,
            |_: Output<_>| Ok::<bool, ()>(true),
        )
        .expect("the sink never fails");
        assert_eq!((summary.checked, summary.shared), (3, 0));
    }

    #[test]
    fn the_memo_stays_within_its_bytes() {
        let limit = 1 << 20;
        let memo: Memo<'_, u32> = Memo::new(limit);
        for i in 0..50_000u32 {
            let label = format!("Water, Glycerin, Ingredient {i}");
            memo.put(memo.key(&label, None), None, checked(i));
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
        assert_eq!(
            memo.get(memo.key(label, None), || None),
            Some(checked(49999))
        );
        assert_eq!(
            memo.get(memo.key("Water, Glycerin, Ingredient 0", None), || None),
            None
        );
    }

    #[test]
    fn the_memo_finds_a_chunk_of_keys_as_it_finds_each() {
        let memo: Memo<'_, u32> = Memo::new(1 << 20);
        let serum = serum();
        let labels: Vec<String> = (0..200).map(|i| format!("Water, Ingredient {i}")).collect();
        for (i, label) in labels.iter().enumerate().step_by(2) {
            // Every fourth answer holds only for a serum's name.
            let name = i.is_multiple_of(4).then(|| Some(serum.clone()));
            memo.put(memo.key(label, None), name, checked(i as u32));
        }
        let keys: Vec<Option<u128>> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (i % 10 != 9).then(|| memo.key(l, None)))
            .collect();
        // Records 0, 3, 6, ... have a serum's name; the others none.
        let reading = |i: usize| i.is_multiple_of(3).then(|| serum.clone());
        let found = memo.get_all(&keys, reading);
        for (i, label) in labels.iter().enumerate() {
            let want = if i % 10 == 9 {
                None
            } else {
                memo.get(memo.key(label, None), || reading(i))
            };
            assert_eq!(found[i], want, "record {i}");
        }
        assert!(found.iter().flatten().count() > 50);
    }

    #[test]
    fn the_memo_tells_labels_types_and_names_apart() {
        let memo: Memo<'_, u32> = Memo::new(1 << 20);
        let serum = serum();
        memo.put(memo.key("Water, Retinol", Some("serum")), None, checked(1));
        memo.put(
            memo.key("Water, Retinol", None),
            Some(Some(serum.clone())),
            checked(2),
        );
        memo.put(memo.key("Water, Retinol", Some("")), None, checked(3));
        assert_eq!(
            memo.get(memo.key("Water, Retinol", Some("serum")), || None),
            Some(checked(1))
        );
        assert_eq!(
            memo.get(memo.key("Water, Retinol", Some("")), || None),
            Some(checked(3))
        );
        assert_eq!(
            memo.get(memo.key("Water, Retinol, Glycerin", Some("serum")), || None),
            None
        );
        assert_eq!(
            memo.get(memo.key("Water, Retinol", Some("toner")), || None),
            None
        );
        // No type given: the answer holds only for a name that reads the same.
        assert_eq!(
            memo.get(memo.key("Water, Retinol", None), || Some(serum.clone())),
            Some(checked(2))
        );
        assert_eq!(memo.get(memo.key("Water, Retinol", None), || None), None);
        // Where the label ends and the type starts is part of the key.
        assert_eq!(
            memo.get(memo.key("Water, Retinolserum", None), || None),
            None
        );
        assert_eq!(
            memo.get(memo.key("Water, Retinolserum", Some("")), || None),
            None
        );
    }
}
