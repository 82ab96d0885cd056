//! `aftercare serve`: the local web page and JSON API. Binds, prints the address, serves
//! until Ctrl-C or SIGTERM, then lets the requests in flight finish. The server itself
//! is `aftercare::serve`.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use aftercare::serve::{Limits, ServeError, Server, shutdown_signal};

use super::load_checker;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on. The default is reachable only from this computer; give
    /// `0.0.0.0` only on a network you trust (the page has no login).
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port to listen on; 0 picks a free one (the address printed says which).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// An overlay CSV in the format of data/*.csv, adding or overriding entries.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Another name the page may be opened by, besides `localhost` and the address
    /// (such as this computer's name on the network); repeat for several. Requests
    /// naming anything else are refused, so that no web page can reach the server
    /// through a name of its own.
    #[arg(long = "allow-host", value_name = "NAME", value_parser = host_name)]
    pub allow_host: Vec<String>,
}

pub fn run(args: ServeArgs) -> Result<u8> {
    let checker = load_checker(args.db.as_deref())?;
    let addr = SocketAddr::new(args.bind, args.port);
    crate::return_freed_memory_in_background();
    let server = match Server::bind(addr, checker, Limits::default()) {
        Ok(s) => s.allow_hosts(&args.allow_host),
        Err(e @ ServeError::Bind { .. }) if is_in_use(&e) => {
            bail!(
                "{e}; is another `aftercare serve` running? Give another `--port`, or `--port 0` for any free one"
            )
        }
        Err(e) => return Err(e.into()),
    };
    let addr = server.local_addr();
    if !addr.ip().is_loopback() {
        eprintln!(
            "aftercare: warning: listening on `{}`, which other computers can reach; the page has no login",
            addr.ip()
        );
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "aftercare: serving on http://{addr}/ (Ctrl-C to stop)")?;
    out.flush()?;
    drop(out);
    server.run(shutdown_signal())?;
    eprintln!("aftercare: stopped");
    Ok(0)
}

/// A `--allow-host` value: a host name or an IP address, without scheme, port or path.
fn host_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    let is_ip = bare.parse::<IpAddr>().is_ok();
    let is_name = !bare.is_empty()
        && bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if is_ip || is_name {
        Ok(name.to_string())
    } else {
        Err(format!(
            "`{text}` is not a host name; give the name alone, without scheme or port, such as `clinic-pc.local`"
        ))
    }
}

fn is_in_use(e: &ServeError) -> bool {
    matches!(e, ServeError::Bind { source, .. } if source.kind() == std::io::ErrorKind::AddrInUse)
}
