//! `aftercare ci` and `aftercare init`: a clinic's catalog against its policy.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use aftercare::catalog::Catalog;
use aftercare::ci;
use aftercare::policy::{Policy, TEMPLATE};
use aftercare::report;

use super::load_checker;

#[derive(Args)]
pub struct CiArgs {
    /// The catalog CSVs (default: `catalog.csv`). Each is checked with the same
    /// policy and reported on its own; the exit code is the worst of them.
    #[arg(default_value = "catalog.csv", value_name = "CATALOG")]
    pub catalogs: Vec<PathBuf>,
    /// The policy file (default: `aftercare.toml` in the working directory or the
    /// nearest parent, up to the repository's root: the first folder holding `.git`).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Format on standard output (or `-o`): `xlsx` is one row per product with
    /// coloured verdicts, and needs `-o`.
    #[arg(long, value_enum, default_value_t = CiFormat::Text)]
    pub format: CiFormat,
    /// Write the `--format` output to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write text to this file.
    #[arg(long, value_name = "FILE")]
    pub output_text: Option<PathBuf>,
    /// Also write JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub output_json: Option<PathBuf>,
    /// Also write GitHub annotations to this file.
    #[arg(long, value_name = "FILE")]
    pub output_github: Option<PathBuf>,
    /// Also write JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    pub output_junit: Option<PathBuf>,
    /// Also write SARIF 2.1.0 to this file.
    #[arg(long, value_name = "FILE")]
    pub output_sarif: Option<PathBuf>,
    /// Also write a spreadsheet (.xlsx) to this file: one row per product.
    #[arg(long, value_name = "FILE")]
    pub output_xlsx: Option<PathBuf>,
    /// A previous catalog: report only products that are new or whose ingredients changed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Exit 0 even when there are violations.
    #[arg(long)]
    pub exit_zero: bool,
    /// Let the policy's `overlay` name a file outside the policy file's folder.
    #[arg(long)]
    pub allow_outside_overlay: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum CiFormat {
    Text,
    Json,
    Github,
    Junit,
    Sarif,
    Xlsx,
}

#[derive(Args)]
pub struct InitArgs {
    /// Where to write the template.
    #[arg(default_value = "aftercare.toml")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

pub fn init(args: InitArgs) -> Result<u8> {
    if args.path.as_os_str() == "-" {
        print!("{TEMPLATE}");
        return Ok(0);
    }
    if args.path.exists() && !args.force {
        bail!(
            "`{}` exists; use --force to overwrite it",
            args.path.display()
        );
    }
    std::fs::write(&args.path, TEMPLATE)
        .with_context(|| format!("cannot write `{}`", args.path.display()))?;
    eprintln!("aftercare: wrote `{}`", args.path.display());
    Ok(0)
}

pub fn run(args: CiArgs) -> Result<u8> {
    if args.format == CiFormat::Xlsx && args.output.is_none() {
        bail!(
            "`--format xlsx` is not written to standard output: give a file with `-o FILE` (or `--output-xlsx FILE`)"
        );
    }
    let config = match &args.config {
        Some(p) => Some(p.clone()),
        None => find_config(&std::env::current_dir()?),
    };
    refuse_what_one_run_cannot_hold(&args)?;
    // Every output file is refused, before any work, if it is one of the inputs; each
    // replaces its target only when the run finished.
    let inputs: Vec<&Path> = args
        .catalogs
        .iter()
        .chain(config.as_ref())
        .chain(args.baseline.as_ref())
        .map(PathBuf::as_path)
        .collect();
    let mut outputs = Vec::new();
    for (path, format) in [
        (&args.output_text, CiFormat::Text),
        (&args.output_json, CiFormat::Json),
        (&args.output_github, CiFormat::Github),
        (&args.output_junit, CiFormat::Junit),
        (&args.output_sarif, CiFormat::Sarif),
        (&args.output_xlsx, CiFormat::Xlsx),
    ] {
        if let Some(path) = path {
            outputs.push((super::output::AtomicFile::create(path, &inputs)?, format));
        }
    }
    let mut out = super::output::Destination::open(args.output.as_deref(), &inputs)?;
    if let (CiFormat::Xlsx, super::output::Destination::File(f)) = (args.format, &out)
        && f.is_terminal()
    {
        bail!("`--format xlsx` is not written to a terminal: give a file with `-o FILE`");
    }
    let (policy, policy_file, checker) =
        load_policy(config.as_deref(), args.allow_outside_overlay)?;
    let options = aftercare::Options {
        profile: policy.profile,
        depth: policy.depth,
        wait_overrides: policy.waits.clone().into_iter().collect(),
        ..Default::default()
    };
    let columns = ci::columns(&policy);
    let baseline = match &args.baseline {
        Some(p) => Some(ci::read_baseline(Catalog::open(p, &columns)?)),
        None => None,
    };
    // Every catalog is opened (its header read) before any is checked: a missing
    // one stops the run before a report is half written.
    let catalogs = args
        .catalogs
        .iter()
        .map(|path| Catalog::open(path, &columns))
        .collect::<Result<Vec<_>, _>>()?;
    let mut runs = Vec::new();
    for catalog in catalogs {
        runs.push(
            ci::evaluate(catalog, &checker, &policy, &options, baseline.as_ref())
                .map_err(anyhow::Error::msg)?,
        );
    }
    report_unused_once(&mut runs);
    let write = |format: CiFormat, out: &mut dyn Write| -> std::io::Result<()> {
        for run in &runs {
            match format {
                CiFormat::Text => report::ci::text(out, run, &policy_file),
                CiFormat::Json => report::ci::json(out, run),
                CiFormat::Github => report::ci::github(out, run, &policy_file),
                CiFormat::Junit => report::ci::junit(out, run),
                CiFormat::Sarif => report::ci::sarif(out, run, checker.db()),
                CiFormat::Xlsx => report::xlsx::ci(out, run),
            }?;
        }
        Ok(())
    };
    for (mut file, format) in outputs {
        write(format, &mut file)?;
        file.commit()?;
    }
    write(args.format, &mut out)?;
    out.finish()?;
    if args.format != CiFormat::Text {
        for run in &runs {
            let s = run.summary;
            eprintln!(
                "aftercare: `{}`: {} products, {} violation(s), {} warning(s)",
                run.file, s.products, s.violations, s.warnings
            );
        }
    }
    let violations = runs.iter().any(|r| r.summary.violations > 0);
    Ok(u8::from(violations && !args.exit_zero))
}

/// Several catalogs are several runs: refused, before any work, where the output
/// can hold only one.
fn refuse_what_one_run_cannot_hold(args: &CiArgs) -> Result<()> {
    if args.catalogs.len() > 1 {
        // One JSON, JUnit or SARIF document holds one run; text and GitHub
        // annotations are lines, which runs can follow one another in.
        let single_document = [
            (
                args.format == CiFormat::Json || args.output_json.is_some(),
                "json",
            ),
            (
                args.format == CiFormat::Junit || args.output_junit.is_some(),
                "junit",
            ),
            (
                args.format == CiFormat::Sarif || args.output_sarif.is_some(),
                "sarif",
            ),
            (
                args.format == CiFormat::Xlsx || args.output_xlsx.is_some(),
                "xlsx",
            ),
        ];
        if let Some((_, format)) = single_document.iter().find(|(asked, _)| *asked) {
            bail!(
                "the {format} format holds one catalog, and {} were given; run `aftercare ci` once per catalog, or use `text` or `github`",
                args.catalogs.len()
            );
        }
        if args.baseline.is_some() {
            bail!(
                "--baseline is a previous version of one catalog, and {} catalogs were given; run `aftercare ci` once per catalog",
                args.catalogs.len()
            );
        }
    }
    Ok(())
}

/// The policy (or the default one), the name reports give its file, and the checker
/// with the policy's overlay.
fn load_policy(
    config: Option<&Path>,
    allow_outside_overlay: bool,
) -> Result<(Policy, String, aftercare::Checker)> {
    // The embedded database decides which categories a policy may name; an overlay
    // named by the policy is loaded after.
    let base = load_checker(None)?;
    let (policy, policy_file) = match config {
        Some(path) => {
            let bytes = aftercare::input::read_bounded(path, 1 << 20, true)
                .with_context(|| format!("cannot read the policy `{}`", path.display()))?;
            let text = aftercare::input::decode(&bytes).text;
            let file = path.display().to_string();
            (Policy::parse(&text, &file, base.db())?, file)
        }
        None => (Policy::default(), "aftercare.toml".to_string()),
    };
    let checker = match (&policy.overlay, config) {
        (Some(overlay), Some(cfg)) => {
            let dir = cfg.parent().unwrap_or(Path::new("."));
            let path = dir.join(overlay);
            // A policy comes with the change under review: its overlay may not reach
            // outside the policy's folder (`/etc/passwd`, `../../secrets`) unless the
            // person running `ci` says so.
            if !allow_outside_overlay {
                let folder = std::fs::canonicalize(if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                })?;
                let inside = std::fs::canonicalize(&path)
                    .map(|p| p.starts_with(&folder))
                    .unwrap_or(false);
                if !inside {
                    bail!(
                        "the policy's overlay `{}` is outside the policy's folder `{}` (or missing); move it there, or pass --allow-outside-overlay",
                        overlay.display(),
                        folder.display()
                    );
                }
            }
            load_checker(Some(&path))?
        }
        (Some(overlay), None) => load_checker(Some(overlay))?,
        (None, _) => base,
    };
    Ok((policy, policy_file, checker))
}

/// The policy file when `--config` is not given: `aftercare.toml` in `dir` or its
/// nearest parent, as ruff finds `ruff.toml`. The search stops at the repository's
/// root (a folder holding `.git`), so a catalog in a repository never takes the
/// policy of whatever folder the repository was cloned into. The path is relative to
/// `dir` (`../aftercare.toml`), so reports name it as a person would.
fn find_config(dir: &Path) -> Option<PathBuf> {
    let mut relative = PathBuf::new();
    for folder in dir.ancestors() {
        let candidate = folder.join(CONFIG_NAME);
        if candidate.is_file() {
            return Some(relative.join(CONFIG_NAME));
        }
        if folder.join(".git").exists() {
            return None;
        }
        relative.push("..");
    }
    None
}

const CONFIG_NAME: &str = "aftercare.toml";

/// With several catalogs, an exception for a product of one catalog matches nothing
/// in the others: it is stale only when it matched nothing in any. Those are
/// reported once, with the last catalog.
fn report_unused_once(runs: &mut [ci::CiRun]) {
    let Some((last, earlier)) = runs.split_last_mut() else {
        return;
    };
    for run in earlier.iter_mut() {
        let unused = std::mem::take(&mut run.unused_exceptions);
        last.unused_exceptions.retain(|e| unused.contains(e));
    }
}
