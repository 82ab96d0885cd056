//! `aftercare plan`: a routine (a CSV, `--product` options, label files) to a
//! day-by-day reintroduction plan as text, JSON or HTML.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use aftercare::plan::{self, Product};
use aftercare::report;

use super::{Common, read_text};

#[derive(Args)]
#[command(after_help = "Examples:
  aftercare plan routine.csv --treated-at \"2026-11-26 14:00\"
  aftercare plan --product \"Night Serum=Water, Retinol, Phenoxyethanol\" \\
                 --product Cleanser --file cleanser.txt --format html > plan.html")]
pub struct PlanArgs {
    /// A routine as CSV with the columns `name`, `ingredients` and optionally `type`
    /// (any case); `-` reads standard input.
    #[arg(value_name = "ROUTINE")]
    pub routine: Option<PathBuf>,
    /// A product: `NAME=LABEL`, or `NAME` alone with a `--file` holding its label
    /// (files are taken in order by the products without `=`). Repeatable.
    #[arg(long = "product", short, value_name = "NAME=LABEL")]
    pub products: Vec<String>,
    /// The label of the next `--product NAME` without `=`. Repeatable.
    #[arg(long = "file", short, value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// Take this as the current time (like `--treated-at`), for reproducible plans;
    /// default: the clock. It marks today and is the default treatment time.
    #[arg(long, value_name = "DATETIME")]
    pub now: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// One self-contained page with a timeline chart; prints on A4.
    Html,
}

pub fn run(args: PlanArgs) -> Result<u8> {
    let routine = routine(&args)?;
    let checker = args.common.checker()?;
    let options = args.common.options(&checker, None)?;
    let tz = aftercare::time::time_zone(args.common.tz.as_deref()).map_err(anyhow::Error::msg)?;
    let now = match &args.now {
        Some(t) => aftercare::time::parse_datetime(t, &tz).map_err(anyhow::Error::msg)?,
        None => jiff::Timestamp::now().to_zoned_datetime(tz),
    };
    let plan = plan::plan(&checker, &routine, &options, &now);

    let failed: Vec<(&str, &str)> = plan.failed().collect();
    if plan.checked().next().is_none() {
        let why: Vec<String> = failed
            .iter()
            .map(|(name, error)| format!("`{}`: {error}", report::sanitize(name)))
            .collect();
        bail!(
            "none of the {} product(s) could be checked: {}",
            failed.len(),
            why.join("; ")
        );
    }
    for (name, error) in &failed {
        eprintln!(
            "aftercare: warning: cannot check `{}`: {error}; it is left out of the plan",
            report::sanitize(name)
        );
    }

    let mut out = args.common.stdout();
    match args.format {
        Format::Text => report::plan::write_text(&mut out, &plan)?,
        Format::Json => report::plan::write_json(&mut out, &plan)?,
        Format::Html => report::plan::write_html(&mut out, &plan, checker.db())?,
    }
    out.flush()?;
    Ok(args.common.exit_code(plan.needs_wait()))
}

/// The products of the routine CSV, then those of `--product`, in the order given.
fn routine(args: &PlanArgs) -> Result<Vec<Product>> {
    let mut products = Vec::new();
    if let Some(path) = &args.routine {
        let (text, note) = read_text(path)?;
        if let Some(n) = note {
            eprintln!("aftercare: note: {n}");
        }
        let read = plan::read_routine(&text).with_context(|| format!("in `{}`", shown(path)))?;
        products.extend(read);
    }
    let mut files = args.files.iter();
    for spec in &args.products {
        match spec.split_once('=') {
            Some((name, label)) => {
                let name = name.trim();
                if name.is_empty() {
                    bail!(
                        "`--product {spec}` has no name before `=`; write `--product \"NAME=LABEL\"`"
                    );
                }
                products.push(Product {
                    name: name.to_string(),
                    label: label.to_string(),
                    product_type: None,
                });
            }
            None => {
                let Some(path) = files.next() else {
                    bail!(
                        "product `{spec}` has no label: write `--product \"{spec}=LABEL\"`, or give a `--file PATH` for it"
                    );
                };
                let (label, note) = read_text(path)?;
                if let Some(n) = note {
                    eprintln!("aftercare: note: `{}`: {n}", shown(path));
                }
                products.push(Product {
                    name: spec.trim().to_string(),
                    label,
                    product_type: None,
                });
            }
        }
    }
    if let Some(extra) = files.next() {
        bail!(
            "`--file {}` belongs to no product: give each file a `--product NAME` without `=`",
            shown(extra)
        );
    }
    if products.is_empty() {
        bail!(
            "no products: give a routine CSV (`name`, `ingredients`, optional `type`), or `--product \"NAME=LABEL\"`"
        );
    }
    Ok(products)
}

fn shown(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".into()
    } else {
        path.display().to_string()
    }
}
