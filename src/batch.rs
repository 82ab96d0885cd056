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

use crate::assess::{Assessment, Checker, Options, Verdict};
use crate::catalog::{Catalog, Record};

/// How to run a batch.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Worker threads; at least one.
    pub threads: usize,
    /// Records per chunk handed to a worker.
    pub chunk: usize,
    /// Chunks in flight at most (read, being checked, or waiting to be written).
    pub in_flight: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Settings {
            threads,
            chunk: 128,
            in_flight: threads * 4,
        }
    }
}

/// What became of one record.
#[derive(Debug)]
pub enum Outcome {
    Checked(Box<Assessment>),
    Failed(String),
}

/// One record and its outcome, in input order.
#[derive(Debug)]
pub struct Output {
    pub record: Record,
    pub outcome: Outcome,
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
}

impl Summary {
    fn count(&mut self, outcome: &Outcome) {
        self.read += 1;
        match outcome {
            Outcome::Failed(_) => self.failed += 1,
            Outcome::Checked(a) => {
                self.checked += 1;
                match a.verdict {
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

/// Checks every record and calls `sink` with each, in input order. `sink` returns
/// `Ok(false)` to stop early (`--strict`); an error from `sink` (a closed pipe) stops
/// the run and is returned.
pub fn run<E>(
    mut catalog: Catalog,
    checker: &Checker,
    options: &Options,
    settings: &Settings,
    progress: &Progress,
    mut sink: impl FnMut(Output) -> Result<bool, E>,
) -> Result<Summary, E> {
    let threads = settings.threads.max(1);
    let in_flight = settings.in_flight.max(threads);
    let chunk = settings.chunk.max(1);
    let stop = AtomicBool::new(false);
    let (work_tx, work_rx) = sync_channel::<(u64, Vec<Record>)>(in_flight);
    let (done_tx, done_rx) = sync_channel::<(u64, Vec<Output>)>(in_flight);
    let (ticket_tx, ticket_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        ticket_tx
            .send(())
            .expect("the ticket channel has room for every ticket");
    }
    let work_rx = Arc::new(Mutex::new(work_rx));
    std::thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || {
            let mut seq = 0;
            loop {
                if ticket_rx.recv().is_err() || stop.load(Ordering::Relaxed) {
                    return;
                }
                let mut records = Vec::with_capacity(chunk);
                while records.len() < chunk {
                    match catalog.next_record() {
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
                loop {
                    let next = work_rx
                        .lock()
                        .expect("no worker panics holding the lock")
                        .recv();
                    let Ok((seq, records)) = next else { return };
                    let outputs = records
                        .into_iter()
                        .map(|record| check_record(checker, options, record))
                        .collect();
                    if done_tx.send((seq, outputs)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let result = write_in_order(done_rx, &ticket_tx, progress, &mut sink);
        // Whatever happened, let the reader and workers finish.
        stop.store(true, Ordering::Relaxed);
        drop(ticket_tx);
        result
    })
}

/// Receives checked chunks and hands their records to `sink` in sequence order.
fn write_in_order<E>(
    done_rx: Receiver<(u64, Vec<Output>)>,
    tickets: &std::sync::mpsc::SyncSender<()>,
    progress: &Progress,
    sink: &mut impl FnMut(Output) -> Result<bool, E>,
) -> Result<Summary, E> {
    let mut summary = Summary::default();
    let mut pending: BTreeMap<u64, Vec<Output>> = BTreeMap::new();
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

/// Checks one record with its own name and type.
fn check_record(checker: &Checker, options: &Options, record: Record) -> Output {
    let outcome = match &record.label {
        Err(e) => Outcome::Failed(e.clone()),
        Ok(label) => {
            let mut opts = options.clone();
            if record.name.is_some() {
                opts.name = record.name.clone();
            }
            if record.product_type.is_some() {
                opts.product_type = record.product_type.clone();
            }
            match checker.check(label, &opts) {
                Ok(a) => Outcome::Checked(Box::new(a)),
                Err(e) => Outcome::Failed(e.to_string()),
            }
        }
    };
    Output { record, outcome }
}
