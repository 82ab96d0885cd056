//! Routes: which requests are answered at all (the `Host` and cross-origin rules),
//! which method and path go where, reading request bodies within the limits, turning a
//! request into `Options`, running the check, the JSON API (`/api/check`,
//! `/api/explain`, `/healthz`) and the security headers on every response. The HTML is
//! rendered by `page`; connections and deadlines are set up by the parent module.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::time::Instant;

use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Body as _, Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, Version};
use serde::Deserialize;
use serde_json::Value;

use super::page::{self, FormValues};
use super::{Body, Client, State, response};
use crate::assess::{Assessment, CheckError, Options};
use crate::db::Profile;

/// The Content-Security-Policy of every response: nothing from another origin, no
/// inline script or style (the page's script and style are files of this server), no
/// framing, forms post only here.
pub(super) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Answers one request within the request time limit, with the security headers.
/// Requests that do not name this server, and posts from pages of other origins, are
/// refused before they are routed.
pub(super) async fn handle(
    request: Request<Incoming>,
    state: &State,
    client: &Client,
) -> Response<Body> {
    client
        .unread_body
        .store(!request.body().is_end_stream(), Ordering::Relaxed);
    let refusal =
        host_refusal(&request, state, client).or_else(|| cross_origin_refusal(&request, state));
    let mut answer = match refusal {
        Some(refusal) => refusal,
        None => answer_in_time(request, state, client).await,
    };
    let headers = answer.headers_mut();
    if client.unread_body.load(Ordering::Relaxed) {
        // The client may still be sending; the connection cannot carry another request.
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Nothing about the page reaches another site; `same-origin` rather than
    // `no-referrer` because under `no-referrer` a browser sends `Origin: null` with the
    // page's own form post, which the cross-site rule cannot tell from a sandboxed page.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Labels may be a patient's; nothing is worth keeping in a cache.
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    answer
}

/// A host name as requests are compared with it: without case, brackets (IPv6) or a
/// final dot.
pub(super) fn host_name(name: &str) -> String {
    let name = name.trim();
    let name = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The DNS-rebinding rule. A browser sends the name from the page's address as
/// `Host`; a page at `attacker.example` whose name was pointed at this computer sends
/// `attacker.example`. So only requests naming `localhost`, the address the client
/// connected to, or a name given to the server (`Server::allow_hosts`) are answered,
/// with any port; others get 421. HTTP/1.1 requires a Host (400 without one); HTTP/1.0
/// did not.
fn host_refusal(
    request: &Request<Incoming>,
    state: &State,
    client: &Client,
) -> Option<Response<Body>> {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let (first, second) = (hosts.next(), hosts.next());
    let host = match (host(request), first, second) {
        (_, Some(_), Some(_)) => {
            return Some(plain(
                400,
                "a request has one `Host` header; this one has several",
            ));
        }
        (Some(host), _, _) => host,
        (None, Some(_), _) => return Some(plain(400, "the `Host` header is not a host name")),
        (None, None, _) if request.version() < Version::HTTP_11 => return None,
        (None, None, _) => {
            return Some(plain(
                400,
                "the request has no `Host` header; HTTP/1.1 requires one naming this server, such as `Host: localhost`",
            ));
        }
    };
    let Some((name, _)) = split_host(host) else {
        return Some(plain(
            400,
            &format!("the `Host` header `{host}` is not a host name with an optional port"),
        ));
    };
    if answers_to(&name, state, client) {
        return None;
    }
    let mut names = vec![
        "`localhost`".to_string(),
        format!("`{}`", client.local.ip()),
    ];
    names.extend(state.allowed_hosts.iter().map(|n| format!("`{n}`")));
    Some(plain(
        421,
        &format!(
            "this server does not answer to `{host}`, only to {}; start it with `--allow-host NAME` to add a name",
            names.join(", ")
        ),
    ))
}

/// Whether the server answers to a host name (as `host_name` gives it).
fn answers_to(name: &str, state: &State, client: &Client) -> bool {
    name == "localhost"
        || name
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical() == client.local.ip().to_canonical())
        || state.allowed_hosts.iter().any(|n| n == name)
}

/// The host a request names: the authority of an absolute URI (`GET http://host/`),
/// which takes the place of Host, or the Host header.
fn host(request: &Request<Incoming>) -> Option<&str> {
    match request.uri().authority() {
        Some(authority) => Some(authority.as_str()),
        None => request.headers().get(header::HOST)?.to_str().ok(),
    }
}

/// A `Host` value or an origin's authority (`name`, `name:port`, `[v6]:port`) as the
/// name (as `host_name` gives it) and the port; `None` when it is not of that form.
fn split_host(host: &str) -> Option<(String, Option<u16>)> {
    let (name, port) = match host.strip_prefix('[') {
        Some(v6) => {
            let (name, rest) = v6.split_once(']')?;
            (
                name,
                rest.strip_prefix(':').or(rest.is_empty().then_some(""))?,
            )
        }
        None => host.rsplit_once(':').unwrap_or((host, "")),
    };
    let port = match port {
        "" => None,
        p => Some(p.parse::<u16>().ok()?),
    };
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b));
    name_ok.then(|| (host_name(name), port))
}

/// The cross-site rule (CSRF): the page's form and the API act on what they are sent,
/// so a POST made by a page of another origin is refused with 403. A browser says
/// where a request comes from in `Origin` (compared with the request's own Host:
/// scheme `http` or `https`, name and port) and in `Sec-Fetch-Site` (only
/// `same-origin`, or `none` for what the user did, is accepted). `Origin: null`
/// (sandboxed frames, `file:` pages) is refused. Programs such as curl send neither
/// and are answered. GET, HEAD and OPTIONS change nothing and are not checked.
fn cross_origin_refusal(request: &Request<Incoming>, state: &State) -> Option<Response<Body>> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return None;
    }
    let headers = request.headers();
    let site_ok = headers
        .get("sec-fetch-site")
        .is_none_or(|site| matches!(site.as_bytes(), b"same-origin" | b"none"));
    let origin_ok = headers
        .get(header::ORIGIN)
        .is_none_or(|origin| same_origin(origin.as_bytes(), host(request)));
    if site_ok && origin_ok {
        return None;
    }
    Some(failure(
        state,
        Kind::of(request.uri().path()),
        403,
        "this request comes from a page of another origin; post from this server's own page, or from a program (which sends no `Origin`)",
    ))
}

/// Whether an `Origin` value is the origin of a request naming `host`.
fn same_origin(origin: &[u8], host: Option<&str>) -> bool {
    let Some((host_name, host_port)) = host.and_then(split_host) else {
        return false;
    };
    let Ok(origin) = std::str::from_utf8(origin) else {
        return false;
    };
    let (authority, default_port) = if let Some(a) = origin.strip_prefix("http://") {
        (a, 80)
    } else if let Some(a) = origin.strip_prefix("https://") {
        (a, 443)
    } else {
        return false;
    };
    split_host(authority).is_some_and(|(name, port)| {
        name == host_name && port.unwrap_or(default_port) == host_port.unwrap_or(default_port)
    })
}

/// The request's answer, or 503 when it is not ready within the request time limit.
async fn answer_in_time(
    request: Request<Incoming>,
    state: &State,
    client: &Client,
) -> Response<Body> {
    let deadline = Instant::now() + state.limits.request_time;
    let kind = Kind::of(request.uri().path());
    let routed =
        tokio::time::timeout_at(deadline.into(), route(request, state, client, deadline)).await;
    routed.unwrap_or_else(|_| {
        let secs = state.limits.request_time.as_secs_f64();
        failure(
            state,
            kind,
            503,
            &format!("the request took longer than the limit of {secs} s; try a shorter label"),
        )
    })
}

/// Which kind of answer a path gets, for errors: JSON for the API, HTML for the page.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Api,
    Page,
    Fragment,
    Plain,
}

impl Kind {
    fn of(path: &str) -> Kind {
        match path {
            "/" => Kind::Page,
            "/result" => Kind::Fragment,
            p if p.starts_with("/api/") => Kind::Api,
            _ => Kind::Plain,
        }
    }
}

async fn route(
    request: Request<Incoming>,
    state: &State,
    client: &Client,
    deadline: Instant,
) -> Response<Body> {
    let path = request.uri().path();
    let kind = Kind::of(path);
    let method = request.method();
    let get = method == Method::GET || method == Method::HEAD;
    let post = method == Method::POST;
    match path {
        _ if method == Method::OPTIONS => options(path, state, kind),
        "/" if get => html(
            200,
            page::page(&FormValues::default(), "", &state.product_types),
        ),
        "/" | "/result" if post => form_post(request, state, client, deadline, kind).await,
        "/static/page.css" if get => asset("text/css; charset=utf-8", page::CSS),
        "/static/page.js" if get => asset("text/javascript; charset=utf-8", page::JS),
        "/api/check" if post => api_check(request, state, client, deadline).await,
        "/api/explain" if get => api_explain(request.uri().query(), state),
        "/healthz" if get => response(200, "text/plain; charset=utf-8", "ok\n"),
        _ => match allowed_methods(path) {
            Some(allow) => not_allowed(state, kind, allow),
            None => not_found(path, state, kind),
        },
    }
}

/// The methods a path answers, as `Allow` gives them; `None` for no such path.
fn allowed_methods(path: &str) -> Option<&'static str> {
    match path {
        "/" | "*" => Some("GET, HEAD, POST, OPTIONS"),
        "/result" | "/api/check" => Some("POST, OPTIONS"),
        "/static/page.css" | "/static/page.js" | "/api/explain" | "/healthz" => {
            Some("GET, HEAD, OPTIONS")
        }
        _ => None,
    }
}

/// `OPTIONS`: 204 with the path's methods in `Allow`. No `Access-Control-Allow-*`
/// header: no page of another origin is granted anything, so a browser stops the
/// cross-origin request its preflight asks about.
fn options(path: &str, state: &State, kind: Kind) -> Response<Body> {
    let Some(allow) = allowed_methods(path) else {
        return not_found(path, state, kind);
    };
    let mut r = Response::new(Body::default());
    *r.status_mut() = hyper::StatusCode::NO_CONTENT;
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    r
}

fn not_found(path: &str, state: &State, kind: Kind) -> Response<Body> {
    failure(
        state,
        kind,
        404,
        &format!(
            "no page at `{path}`; the routes are `/`, `POST /api/check`, `GET /api/explain?name=...` and `/healthz`"
        ),
    )
}

/// The page's form, posted without JavaScript (`/`, the whole page) or by the page's
/// script (`/result`, only the answer).
async fn form_post(
    request: Request<Incoming>,
    state: &State,
    client: &Client,
    deadline: Instant,
    kind: Kind,
) -> Response<Body> {
    let bytes = match read_body(request, state, client, deadline).await {
        Ok(b) => b,
        Err((status, message)) => return failure(state, kind, status, &message),
    };
    let form = FormValues::from_pairs(form_urlencoded::parse(&bytes));
    let (status, answer) = match form.ask() {
        Err(message) => (400, page::error(&message)),
        Ok(ask) => match run_check(state, ask).await {
            Ok((a, label, tz)) => (200, page::result(&a, &label, state.checker.db(), &tz)),
            Err((status, message)) => (status, page::error(&message)),
        },
    };
    match kind {
        Kind::Fragment => html(status, answer),
        _ => html(status, page::page(&form, &answer, &state.product_types)),
    }
}

/// `POST /api/check`: the label as JSON (`{"label": ..., "profile": ...}`), as a form,
/// or as the body itself (`text/plain`, options in the query string). A form body that
/// names no parameter is the label itself too: see `names_a_parameter`.
async fn api_check(
    request: Request<Incoming>,
    state: &State,
    client: &Client,
    deadline: Instant,
) -> Response<Body> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let query = request.uri().query().unwrap_or("").to_string();
    let bytes = match read_body(request, state, client, deadline).await {
        Ok(b) => b,
        Err((status, message)) => return json_error(status, &message),
    };
    let ask = if content_type == "application/json" || content_type.ends_with("+json") {
        if !query.is_empty() {
            return json_error(
                400,
                "with a JSON body, give the options in the body, not the query string",
            );
        }
        match serde_json::from_slice::<CheckBody>(&bytes) {
            Ok(body) => body.ask(),
            Err(e) => Err(format!("malformed JSON: {e}")),
        }
    } else if content_type == "application/x-www-form-urlencoded" && names_a_parameter(&bytes) {
        Ask::from_pairs(form_urlencoded::parse(&bytes), true)
    } else if content_type.is_empty()
        || content_type.starts_with("text/")
        || content_type == "application/x-www-form-urlencoded"
    {
        let decoded = crate::input::decode(&bytes);
        Ask::from_pairs(form_urlencoded::parse(query.as_bytes()), false).map(|mut ask| {
            ask.label = decoded.text;
            ask
        })
    } else {
        return json_error(
            415,
            &format!(
                "unsupported content type `{content_type}`; send `application/json` ({{\"label\": \"...\"}}) or `text/plain` (the label itself)"
            ),
        );
    };
    let ask = match ask {
        Ok(a) => a,
        Err(message) => return json_error(400, &message),
    };
    match run_check(state, ask).await {
        Ok((a, _, _)) => match serde_json::to_vec(&a) {
            Ok(body) => response(200, "application/json", body),
            Err(e) => json_error(500, &format!("cannot write the answer as JSON: {e}")),
        },
        Err((status, message)) => json_error(status, &message),
    }
}

/// Whether a form body is a form: one of its keys is a parameter name (`label=...`).
/// `curl --data-binary @label.txt` sends a label file as it is, with the form content
/// type; read as a form, `Ingredients: Water, Glycerin` would be one unknown key. Such
/// a body is the label, as sent (no `+` or `%` decoded), like a `text/plain` one.
fn names_a_parameter(body: &[u8]) -> bool {
    form_urlencoded::parse(body).any(|(key, _)| KEYS.contains(&key.as_ref()))
}

/// `GET /api/explain?name=...`: what the database knows about one ingredient, as
/// `aftercare explain` shows it; 404 with close matches when it is not there.
fn api_explain(query: Option<&str>, state: &State) -> Response<Body> {
    let mut name = None;
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "name" => name = Some(value.into_owned()),
            other => {
                return json_error(
                    400,
                    &format!("unknown parameter `{other}`; the only parameter is `name`"),
                );
            }
        }
    }
    let name = match name {
        Some(n) if !n.trim().is_empty() => n,
        _ => {
            return json_error(
                400,
                "give an ingredient name, such as `/api/explain?name=Glycolic%20Acid`",
            );
        }
    };
    let (status, body) = explain(state, &name);
    response(status, "application/json", body.to_string())
}

fn explain(state: &State, name: &str) -> (u16, Value) {
    let explanation = crate::explain::explain(&state.checker, name);
    let status = match explanation {
        crate::explain::Explanation::Known(_) => 200,
        crate::explain::Explanation::Unknown(_) => 404,
    };
    (
        status,
        serde_json::to_value(explanation).unwrap_or(Value::Null),
    )
}

/// What a check request asks for, however it came.
#[derive(Debug, Default)]
pub(super) struct Ask {
    pub label: String,
    pub name: Option<String>,
    pub product_type: Option<String>,
    pub profile: Option<Profile>,
    pub depth: Option<f64>,
    pub treated_at: Option<String>,
    pub tz: Option<String>,
}

/// The option keys of a query string or form, also the JSON body's fields.
const KEYS: &[&str] = &[
    "label",
    "name",
    "type",
    "profile",
    "depth",
    "treated_at",
    "tz",
];

impl Ask {
    /// Reads a query string or form. `with_label` is false where the body is the label.
    fn from_pairs<'a>(
        pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
        with_label: bool,
    ) -> Result<Ask, String> {
        let mut ask = Ask::default();
        for (key, value) in pairs {
            let value = value.into_owned();
            let given = (!value.trim().is_empty()).then(|| value.clone());
            match key.as_ref() {
                "label" if with_label => ask.label = value,
                "name" => ask.name = given,
                "type" => ask.product_type = given,
                "profile" => ask.profile = given.map(|p| p.parse()).transpose()?,
                "depth" => ask.depth = given.map(|d| parse_depth(&d)).transpose()?,
                "treated_at" => ask.treated_at = given,
                "tz" => ask.tz = given,
                other => {
                    let valid: Vec<String> = KEYS
                        .iter()
                        .filter(|k| with_label || **k != "label")
                        .map(|k| format!("`{k}`"))
                        .collect();
                    return Err(format!(
                        "unknown parameter `{other}`; parameters are {}",
                        valid.join(", ")
                    ));
                }
            }
        }
        Ok(ask)
    }

    /// The checker's options and the zone dates are shown in.
    pub fn options(&self, state: &State) -> Result<(Options, jiff::tz::TimeZone), String> {
        if self.profile.is_some() && self.depth.is_some() {
            return Err("give a profile or a needle depth, not both".into());
        }
        let tz = match &self.tz {
            Some(name) => crate::time::time_zone(Some(name))?,
            None => state.default_tz.clone(),
        };
        let treated_at = match &self.treated_at {
            Some(t) => Some(crate::time::parse_datetime(t, &tz)?),
            None => None,
        };
        let options = Options {
            profile: self.profile,
            depth: self.depth,
            product_type: self.product_type.clone(),
            name: self.name.clone(),
            treated_at,
            wait_overrides: Default::default(),
            brief: false,
        };
        Ok((options, tz))
    }
}

/// A needle depth in millimetres, as the CLI's `--depth` takes it.
pub(super) fn parse_depth(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(d) if d.is_finite() && (0.0..=10.0).contains(&d) => Ok(d),
        _ => Err(format!(
            "depth `{text}` is not a needle depth; give millimetres, such as `0.5` or `1.5`"
        )),
    }
}

/// The JSON body of `POST /api/check`.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an object with `label` and optional `name`, `type`, `profile`, `depth`, `treated_at`, `tz`"
)]
struct CheckBody {
    label: String,
    name: Option<String>,
    #[serde(rename = "type")]
    product_type: Option<String>,
    profile: Option<String>,
    depth: Option<f64>,
    treated_at: Option<String>,
    tz: Option<String>,
}

impl CheckBody {
    fn ask(self) -> Result<Ask, String> {
        let blank = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
        Ok(Ask {
            label: self.label,
            name: blank(self.name),
            product_type: blank(self.product_type),
            profile: blank(self.profile).map(|p| p.parse()).transpose()?,
            depth: self
                .depth
                .map(|d| parse_depth(&d.to_string()))
                .transpose()?,
            treated_at: blank(self.treated_at),
            tz: blank(self.tz),
        })
    }
}

/// Runs the check. A short label is checked right here on the runtime's thread (it
/// takes well under a millisecond); a long one goes to the blocking pool, a few at a
/// time, so that long labels wait for each other and never for the short ones. A panic
/// in the checker becomes a 500 for this request only.
async fn run_check(
    state: &State,
    ask: Ask,
) -> Result<(Assessment, String, jiff::tz::TimeZone), (u16, String)> {
    let (options, tz) = ask.options(state).map_err(|m| (400, m))?;
    if let Some(t) = &options.product_type {
        state.checker.given_type(t).map_err(|m| (422, m))?;
    }
    // A Python-list label is read as `batch` reads it (and shown unfolded).
    let label = match crate::catalog::unfold_python_list(&ask.label) {
        std::borrow::Cow::Borrowed(_) => ask.label,
        std::borrow::Cow::Owned(unfolded) => unfolded,
    };
    let checked = if label.len() <= state.limits.inline_label_bytes {
        let checker = &state.checker;
        std::panic::catch_unwind(AssertUnwindSafe(|| checker.check(&label, &options)))
            .map(|r| (r, label))
            .map_err(|_| ())
    } else {
        let permit = state
            .long_checks
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let checker = state.checker.clone();
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let r = checker.check(&label, &options);
            (r, label)
        });
        task.await.map_err(|_| ())
    };
    match checked {
        Ok((Ok(a), label)) => Ok((a, label, tz)),
        Ok((Err(e), _)) => Err((422, check_error(&e))),
        Err(_) => Err((
            500,
            "the checker failed on this label; this is a bug, please report it with the label"
                .into(),
        )),
    }
}

fn check_error(e: &CheckError) -> String {
    format!("cannot check the label: {e}")
}

/// Reads the whole body within the size and time limits: 413 past the size (at once
/// when Content-Length says so), 408 when it does not arrive in time. Only a body read
/// to the end leaves the connection open for another request.
async fn read_body(
    request: Request<Incoming>,
    state: &State,
    client: &Client,
    deadline: Instant,
) -> Result<Bytes, (u16, String)> {
    let limit = state.limits.body_bytes;
    let too_large = || {
        (
            413,
            format!(
                "the request body is larger than the limit of {} KiB; an ingredient list is a few KiB",
                limit / 1024
            ),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let body = Limited::new(request.into_body(), limit);
    // Waiting on the client: a slow body may lose its place to a new client.
    client.waiting();
    let collected = tokio::time::timeout_at(deadline.into(), body.collect()).await;
    client.busy();
    match collected {
        Err(_) => Err((
            408,
            format!(
                "the request body did not arrive within {} s",
                state.limits.request_time.as_secs_f64()
            ),
        )),
        Ok(Ok(collected)) => {
            client.unread_body.store(false, Ordering::Relaxed);
            Ok(collected.to_bytes())
        }
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Ok(Err(e)) => Err((400, format!("cannot read the request body: {e}"))),
    }
}

fn failure(state: &State, kind: Kind, status: u16, message: &str) -> Response<Body> {
    match kind {
        Kind::Api => json_error(status, message),
        Kind::Page => html(
            status,
            page::page(
                &FormValues::default(),
                &page::error(message),
                &state.product_types,
            ),
        ),
        Kind::Fragment => html(status, page::error(message)),
        Kind::Plain => plain(status, message),
    }
}

fn not_allowed(state: &State, kind: Kind, allow: &'static str) -> Response<Body> {
    let mut r = failure(
        state,
        kind,
        405,
        &format!("method not allowed here; use {allow}"),
    );
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    r
}

fn json_error(status: u16, message: &str) -> Response<Body> {
    let mut body = BTreeMap::new();
    body.insert("error", message);
    response(
        status,
        "application/json",
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}

fn plain(status: u16, message: &str) -> Response<Body> {
    response(status, "text/plain; charset=utf-8", format!("{message}\n"))
}

fn html(status: u16, body: String) -> Response<Body> {
    response(status, "text/html; charset=utf-8", body)
}

fn asset(content_type: &str, body: &'static str) -> Response<Body> {
    let mut r = response(200, content_type, body);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}
