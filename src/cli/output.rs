//! Output files that never destroy data: each is written to a temporary file beside
//! its target and renamed into place only when the run finished, so a run stopped
//! half-way (an error, Ctrl-C, a kill) leaves the previous file as it was; and an
//! output that is one of the run's inputs (the same file, through any path or link)
//! is refused before anything is opened for writing.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Where a command's results go: standard output, or a file replaced when complete.
pub enum Destination {
    Stdout(std::io::StdoutLock<'static>),
    File(AtomicFile),
}

impl Destination {
    /// `path`, or standard output; `inputs` are the files the run reads.
    pub fn open(path: Option<&Path>, inputs: &[&Path]) -> Result<Destination> {
        Ok(match path {
            Some(p) => Destination::File(AtomicFile::create(p, inputs)?),
            None => Destination::Stdout(std::io::stdout().lock()),
        })
    }

    /// Flushes, and puts a file in place of its target.
    pub fn finish(self) -> Result<()> {
        match self {
            Destination::Stdout(mut out) => Ok(out.flush()?),
            Destination::File(f) => f.commit(),
        }
    }
}

/// How an output reaches its target.
enum Target {
    /// A regular file (or none yet): written beside it, then renamed onto it.
    Replaced { target: PathBuf, temporary: PathBuf },
    /// A device or pipe (`/dev/null`, `/dev/stdout`, a FIFO): written to directly,
    /// since renaming a file onto it would put a regular file in its place.
    Direct,
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Destination::Stdout(o) => o.write(buf),
            Destination::File(f) => f.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Destination::Stdout(o) => o.write_all(buf),
            Destination::File(f) => f.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Destination::Stdout(o) => o.flush(),
            Destination::File(f) => f.flush(),
        }
    }
}

/// A file written beside its target under a temporary name; `commit` renames it into
/// place, and dropping it uncommitted removes it.
pub struct AtomicFile {
    target: Target,
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(target: &Path, inputs: &[&Path]) -> Result<AtomicFile> {
        refuse_an_input(target, inputs)?;
        match std::fs::metadata(target) {
            Ok(meta) if !meta.is_file() => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(target)
                    .with_context(|| format!("cannot write `{}`", target.display()))?;
                return Ok(AtomicFile {
                    target: Target::Direct,
                    file: Some(BufWriter::new(file)),
                });
            }
            _ => {}
        }
        // A link is followed: the file it names is replaced, the link kept.
        let target = std::fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf());
        let target = target.as_path();
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .with_context(|| format!("`{}` is not a file name", target.display()))?;
        let temporary = dir.join(format!(
            ".{}.aftercare-{}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = File::create(&temporary).with_context(|| {
            format!(
                "cannot create `{}` (written there first, then renamed to `{}`)",
                temporary.display(),
                target.display()
            )
        })?;
        Ok(AtomicFile {
            target: Target::Replaced {
                target: target.to_path_buf(),
                temporary,
            },
            file: Some(BufWriter::new(file)),
        })
    }

    pub fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("a file until committed");
        let Target::Replaced { target, temporary } = &self.target else {
            let mut file = file;
            return Ok(file.flush()?);
        };
        let file = file
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write `{}`", temporary.display()))?;
        file.sync_all()
            .with_context(|| format!("cannot write `{}`", temporary.display()))?;
        std::fs::rename(temporary, target).with_context(|| {
            format!(
                "cannot put `{}` in place of `{}`",
                temporary.display(),
                target.display()
            )
        })?;
        Ok(())
    }

    /// Whether the output is a terminal (`-o /dev/tty`), where binary output is refused.
    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        matches!(self.target, Target::Direct)
            && self
                .file
                .as_ref()
                .is_some_and(|f| f.get_ref().is_terminal())
    }

    fn file(&mut self) -> &mut BufWriter<File> {
        self.file.as_mut().expect("a file until committed")
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.file().write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file().flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some()
            && let Target::Replaced { temporary, .. } = &self.target
        {
            let _ = std::fs::remove_file(temporary);
        }
    }
}

/// Refuses an output that is one of the inputs: the same file (device and inode,
/// links followed), however it is named.
fn refuse_an_input(target: &Path, inputs: &[&Path]) -> Result<()> {
    let Ok(out) = std::fs::metadata(target) else {
        return Ok(());
    };
    for input in inputs {
        if input.as_os_str() == "-" {
            continue;
        }
        let canonical = |p: &Path| std::fs::canonicalize(p).ok();
        if let Ok(inp) = std::fs::metadata(input)
            && (same_file(&out, &inp) || canonical(target) == canonical(input))
        {
            bail!(
                "the output `{}` is the input `{}`: writing it would destroy what is being read; choose another output file",
                target.display(),
                input.display()
            );
        }
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}
