//! The `aftercare` binary: parses arguments, runs a command, and turns errors into
//! exit code 2. Only this binary prints.

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("aftercare: error: {}", message(&err));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, `: `-separated, each cause said once: most of this
/// crate's errors already quote their cause (`cannot read `x.csv`: No such file`),
/// and anyhow's `{:#}` would repeat it.
fn message(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let said = cause.to_string();
        if text.contains(&said) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&said);
    }
    text
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        let io = e
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                e.downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            })
            .or_else(
                || match e.downcast_ref::<csv::Error>().map(csv::Error::kind) {
                    Some(csv::ErrorKind::Io(io)) => Some(io.kind()),
                    _ => None,
                },
            );
        io == Some(std::io::ErrorKind::BrokenPipe)
    })
}
/// A batch allocates and frees small buffers by the million (records, readings,
/// answers), some of them on another thread than the one that made them; jemalloc
/// does it with less work than the system allocator (benches: 20% less CPU on a
/// million records, peak memory still under 64 MiB). Its configuration, built in
/// from `.cargo/config.toml`, backs the heap with transparent huge pages.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// A server's memory should settle back after a burst of large requests. jemalloc
/// returns freed pages to the system from a background thread, when asked: asked here
/// for `serve` only, since a one-shot `check` would pay about a millisecond to start
/// the thread and gain nothing. (`scripts/abuse.sh`: 128 MiB fifteen seconds after 200
/// requests of 1 MiB without it, 76 MiB, where it started, with it.)
pub(crate) fn return_freed_memory_in_background() {
    #[cfg(not(target_env = "msvc"))]
    let _ = tikv_jemalloc_ctl::background_thread::write(true);
}
