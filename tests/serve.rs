//! `aftercare serve` over real sockets: every route, the limits, the escaping, and the
//! command's start and clean stop. Each test starts its own server on an ephemeral
//! loopback port and talks raw HTTP/1.1, so malformed and partial requests can be sent
//! too. JSON answers are parsed back and compared by value.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use aftercare::serve::{Limits, Running, Server};
use aftercare::{Checker, Options};
use serde_json::{Value, json};

const ACID_LABEL: &str =
    "Water, Glycerin, Glycolic Acid 10%, Retinyl Palmitate, Phenoxyethanol, Moonstone Dust";

fn start(limits: Limits) -> Running {
    let checker = Checker::embedded().unwrap();
    Server::bind("127.0.0.1:0".parse().unwrap(), checker, limits)
        .unwrap()
        .spawn()
}

fn server() -> Running {
    start(Limits::default())
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s
}

/// Sends raw bytes and reads the reply until the server closes the connection.
fn raw(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut s = connect(addr);
    s.write_all(request).unwrap();
    read_reply(&mut s)
}

fn read_reply(s: &mut TcpStream) -> Reply {
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    parse_reply(&bytes)
}

fn parse_reply(bytes: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete reply: {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

fn request(addr: SocketAddr, method: &str, path: &str, content_type: &str, body: &[u8]) -> Reply {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !content_type.is_empty() {
        req.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    raw(addr, &bytes)
}

fn get(addr: SocketAddr, path: &str) -> Reply {
    raw(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

fn post_json(addr: SocketAddr, body: &Value) -> Reply {
    request(
        addr,
        "POST",
        "/api/check",
        "application/json",
        body.to_string().as_bytes(),
    )
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

#[test]
fn healthz_answers_ok() {
    let srv = server();
    let r = get(srv.addr(), "/healthz");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "ok\n");
}

#[test]
fn the_page_is_one_form_with_no_external_loads_and_a_strict_policy() {
    let srv = server();
    let r = get(srv.addr(), "/");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    for field in [
        r#"name="label""#,
        r#"name="name""#,
        r#"name="type""#,
        r#"name="profile""#,
        r#"name="depth""#,
        r#"name="date""#,
        r#"name="time""#,
        r#"method="post""#,
    ] {
        assert!(r.body.contains(field), "the form lacks {field}");
    }
    let csp = r.header("content-security-policy").unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(
            csp.contains(directive),
            "the policy lacks {directive}: {csp}"
        );
    }
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    // Not `no-referrer`: under it the page's own form post carries `Origin: null`,
    // which the cross-site rule refuses.
    assert_eq!(r.header("referrer-policy"), Some("same-origin"));
    // No inline script or style (the policy forbids them), nothing from elsewhere.
    assert!(!r.body.contains("<script>"));
    assert!(!r.body.contains("<style"));
    assert!(!r.body.contains(" style="));
    for page in [
        &r.body,
        &get(srv.addr(), "/static/page.css").body,
        &get(srv.addr(), "/static/page.js").body,
    ] {
        assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("//cdn"));
        assert!(!page.contains("@import") && !page.contains("url("));
    }
}

#[test]
fn the_page_script_and_style_are_served_with_their_types() {
    let srv = server();
    let css = get(srv.addr(), "/static/page.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    let js = get(srv.addr(), "/static/page.js");
    assert_eq!(js.status, 200);
    assert!(
        js.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(js.body.contains("fetch('/result'"));
}

#[test]
fn api_check_answers_with_the_json_of_the_interface() {
    let srv = server();
    let r = post_json(srv.addr(), &json!({"label": ACID_LABEL}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    // The same value the library gives, field for field.
    let expected = Checker::embedded()
        .unwrap()
        .check(ACID_LABEL, &Options::default())
        .unwrap();
    assert_eq!(v, serde_json::to_value(&expected).unwrap());
    // `Moonstone Dust` is not recognised: the wait is a lower bound.
    assert_eq!(v["verdict"], "review");
    assert_eq!(v["wait_hours"], 168);
    assert_eq!(v["wait_text"], "review: at least 7 days (from day 8)");
    assert!(v["review"].as_str().unwrap().contains("`Moonstone Dust`"));
    assert_eq!(v["findings"][0]["category"], "aha");
    let acid = &v["ingredients"][2];
    assert_eq!(acid["status"], "flagged");
    let [start, end] = [
        acid["span"][0].as_u64().unwrap(),
        acid["span"][1].as_u64().unwrap(),
    ];
    assert_eq!(
        &ACID_LABEL[start as usize..end as usize],
        "Glycolic Acid 10%"
    );
}

#[test]
fn api_check_takes_options_in_the_json_body() {
    let srv = server();
    let v = post_json(
        srv.addr(),
        &json!({"label": ACID_LABEL, "profile": "deep", "treated_at": "2026-11-25 14:00",
                "tz": "Europe/London", "name": "Night Serum"}),
    )
    .json();
    assert_eq!(v["wait_hours"], 336);
    assert_eq!(v["profile"], "deep");
    assert_eq!(v["safe_from"], "2026-12-09T14:00:00+00:00");
    assert_eq!(v["name"], "Night Serum");
    let v = post_json(srv.addr(), &json!({"label": ACID_LABEL, "depth": 0.25})).json();
    assert_eq!(v["profile"], "light");
}

#[test]
fn api_check_takes_the_label_as_plain_text_with_options_in_the_query() {
    let srv = server();
    let r = request(
        srv.addr(),
        "POST",
        "/api/check?profile=light&type=scrub",
        "text/plain; charset=utf-8",
        ACID_LABEL.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["profile"], "light");
    assert_eq!(v["product_type"], "scrub");
    assert_eq!(v["wait_hours"], 72);
    // Without a content type the body is still the label; Windows-1252 is decoded.
    let latin1 = b"Eau, Glyc\xe9rine, Glycolic Acid";
    let r = request(srv.addr(), "POST", "/api/check", "", latin1);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["ingredients"][1]["text"], "Glycérine");
}

#[test]
fn a_raw_label_sent_with_the_form_content_type_is_read_as_the_label() {
    // `curl --data-binary @label.txt URL/api/check` sends the file as it is, labelled
    // `application/x-www-form-urlencoded`.
    let srv = server();
    let label = "Ingredients: Water, Glycerin, Retinol 0.5%, Parfum+, pH=5.5 & fragrance-free";
    let r = request(
        srv.addr(),
        "POST",
        "/api/check?profile=deep",
        "application/x-www-form-urlencoded",
        label.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["profile"], "deep");
    assert_eq!(v["findings"][0]["category"], "retinoid");
    // Read as sent: `+` not turned into a space, `=` and `&` not taken apart.
    let texts: Vec<&str> = v["ingredients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"Parfum+"), "{texts:?}");
    assert!(texts.contains(&"pH=5.5 & fragrance-free"), "{texts:?}");
}

#[test]
fn a_form_naming_a_parameter_is_read_as_a_form() {
    let srv = server();
    let body = form(&[
        ("label", ACID_LABEL),
        ("type", "scrub"),
        ("profile", "light"),
    ]);
    let r = request(
        srv.addr(),
        "POST",
        "/api/check",
        "application/x-www-form-urlencoded",
        &body,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["product_type"], "scrub");
    assert_eq!(v["profile"], "light");
    // A form with a parameter name and a misspelt one is still a form, and says so.
    let body = form(&[("label", ACID_LABEL), ("profle", "deep")]);
    let r = request(
        srv.addr(),
        "POST",
        "/api/check",
        "application/x-www-form-urlencoded",
        &body,
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("`profle`"));
}

#[test]
fn malformed_json_is_a_400_that_says_what_is_wrong() {
    let srv = server();
    let r = request(
        srv.addr(),
        "POST",
        "/api/check",
        "application/json",
        b"{\"label\": ",
    );
    assert_eq!(r.status, 400);
    let e = r.json()["error"].as_str().unwrap().to_string();
    assert!(e.starts_with("malformed JSON"), "{e}");

    let r = post_json(srv.addr(), &json!({"labl": "Water"}));
    assert_eq!(r.status, 400);
    let e = r.json()["error"].as_str().unwrap().to_string();
    assert!(e.contains("`labl`") && e.contains("`label`"), "{e}");

    let r = post_json(srv.addr(), &json!(["Water"]));
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("an object with `label`")
    );
}

#[test]
fn bad_options_are_400_and_an_unreadable_label_is_422() {
    let srv = server();
    for (body, needle) in [
        (
            json!({"label": "Water", "profile": "medium"}),
            "unknown profile `medium`",
        ),
        (json!({"label": "Water", "depth": 40.0}), "depth `40`"),
        (
            json!({"label": "Water", "profile": "deep", "depth": 1.0}),
            "not both",
        ),
        (
            json!({"label": "Water", "treated_at": "next tuesday"}),
            "`next tuesday`",
        ),
        (
            json!({"label": "Water", "tz": "Mars/Olympus"}),
            "`Mars/Olympus`",
        ),
    ] {
        let r = post_json(srv.addr(), &body);
        assert_eq!(r.status, 400, "{body}");
        let e = r.json()["error"].as_str().unwrap().to_string();
        assert!(e.contains(needle), "{e}");
    }
    let r = request(
        srv.addr(),
        "POST",
        "/api/check?colour=red",
        "text/plain",
        b"Water",
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("`colour`"));

    let r = post_json(srv.addr(), &json!({"label": "#NAME?"}));
    assert_eq!(r.status, 422);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("cannot check the label")
    );

    let r = request(srv.addr(), "POST", "/api/check", "image/png", b"\x89PNG");
    assert_eq!(r.status, 415);
}

#[test]
fn explain_tells_what_the_database_knows() {
    let srv = server();
    let r = get(srv.addr(), "/api/explain?name=Glycolic%20Acid");
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["name"], "Glycolic Acid");
    assert_eq!(v["category"], "aha");
    assert_eq!(v["wait_hours"]["standard"], 168);
    assert!(!v["sources"].as_array().unwrap().is_empty());

    let r = get(srv.addr(), "/api/explain?name=Frobnicated%20Moonstone");
    assert_eq!(r.status, 404);
    let v = r.json();
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("`Frobnicated Moonstone`")
    );
    assert!(v["close_matches"].is_array());

    let r = get(srv.addr(), "/api/explain?name=avobenzone");
    assert_eq!(r.status, 200, "an alias resolves: {}", r.body);
    let v = r.json();
    assert_eq!(v["name"], "Butyl Methoxydibenzoylmethane");
    assert_eq!(v["matched_by"], "alias");

    let r = get(srv.addr(), "/api/explain?name=Glycer");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["close_matches"][0], "Glycerin");

    assert_eq!(get(srv.addr(), "/api/explain").status, 400);
    assert_eq!(get(srv.addr(), "/api/explain?nom=x").status, 400);
}

#[test]
fn unknown_paths_are_404_and_wrong_methods_405() {
    let srv = server();
    let r = get(srv.addr(), "/admin");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("`/admin`"));
    let r = get(srv.addr(), "/api/nothing");
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].is_string());
    let r = get(srv.addr(), "/api/check");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST, OPTIONS"));
    let r = request(srv.addr(), "DELETE", "/", "", b"");
    assert_eq!(r.status, 405);
}

/// A GET of `/healthz` naming `host` in its Host header.
fn get_as(addr: SocketAddr, host: &str) -> Reply {
    raw(
        addr,
        format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

#[test]
fn a_request_naming_another_host_is_refused() {
    // What a page at attacker.example sends once its name resolves to 127.0.0.1 (DNS
    // rebinding): the browser thinks it talks to attacker.example.
    let srv = server();
    let port = srv.addr().port();
    for host in [
        "attacker.example".to_string(),
        format!("attacker.example:{port}"),
        format!("localhost.attacker.example:{port}"),
        format!("127.0.0.2:{port}"),
    ] {
        let r = get_as(srv.addr(), &host);
        assert_eq!(r.status, 421, "Host: {host}");
        assert!(r.header("content-type").unwrap().starts_with("text/plain"));
        assert!(r.body.contains(&format!("`{host}`")), "{}", r.body);
    }
    let r = request(
        srv.addr(),
        "POST",
        "/api/check",
        "text/plain",
        ACID_LABEL.as_bytes(),
    );
    assert_eq!(
        r.status, 200,
        "the same request naming the server is answered"
    );
}

#[test]
fn a_request_naming_localhost_or_the_bound_address_is_answered() {
    let srv = server();
    let port = srv.addr().port();
    for host in [
        format!("localhost:{port}"),
        "localhost".to_string(),
        "LocalHost".to_string(),
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_string(),
    ] {
        let r = get_as(srv.addr(), &host);
        assert_eq!(r.status, 200, "Host: {host}: {}", r.body);
        assert_eq!(r.body, "ok\n");
    }
}

#[test]
fn an_http_1_1_request_without_host_is_400() {
    let srv = server();
    let r = raw(
        srv.addr(),
        b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("`Host`"), "{}", r.body);
    // HTTP/1.0 made Host optional.
    let r = raw(srv.addr(), b"GET /healthz HTTP/1.0\r\n\r\n");
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn a_name_given_to_the_server_is_answered_too() {
    let checker = Checker::embedded().unwrap();
    let srv = Server::bind("127.0.0.1:0".parse().unwrap(), checker, Limits::default())
        .unwrap()
        .allow_hosts(["clinic.example"])
        .spawn();
    let port = srv.addr().port();
    assert_eq!(
        get_as(srv.addr(), &format!("clinic.example:{port}")).status,
        200
    );
    assert_eq!(get_as(srv.addr(), "Clinic.Example").status, 200);
    assert_eq!(
        get_as(srv.addr(), &format!("other.example:{port}")).status,
        421
    );
}

/// A POST with extra header lines (`Name: value\r\n` each).
fn post_with(addr: SocketAddr, path: &str, content_type: &str, extra: &str, body: &[u8]) -> Reply {
    let mut bytes = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{extra}\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    raw(addr, &bytes)
}

/// The two posts a page can make: the plain form and the API.
fn both_posts(addr: SocketAddr, extra: &str) -> [Reply; 2] {
    let form = form(&[("label", ACID_LABEL)]);
    [
        post_with(addr, "/", "application/x-www-form-urlencoded", extra, &form),
        post_with(
            addr,
            "/api/check",
            "text/plain",
            extra,
            ACID_LABEL.as_bytes(),
        ),
    ]
}

#[test]
fn a_post_from_a_page_of_another_origin_is_403() {
    let srv = server();
    let port = srv.addr().port();
    for origin in [
        "http://attacker.example".to_string(),
        format!("http://attacker.example:{port}"),
        // Same computer, another port: another origin (any local web app).
        format!("http://127.0.0.1:{}", u32::from(port) + 1),
        format!("http://localhost:{port}"),
        // Sandboxed frames, data: and file: pages send `null`.
        "null".to_string(),
    ] {
        for r in both_posts(srv.addr(), &format!("Origin: {origin}\r\n")) {
            assert_eq!(r.status, 403, "Origin: {origin}: {}", r.body);
            assert!(r.body.contains("another origin"), "{}", r.body);
        }
    }
}

#[test]
fn a_post_the_browser_marks_cross_site_is_403() {
    let srv = server();
    for site in ["cross-site", "same-site"] {
        for r in both_posts(srv.addr(), &format!("Sec-Fetch-Site: {site}\r\n")) {
            assert_eq!(r.status, 403, "Sec-Fetch-Site: {site}: {}", r.body);
        }
    }
}

#[test]
fn a_post_from_the_page_itself_is_answered() {
    let srv = server();
    let port = srv.addr().port();
    // What a browser sends for the page at http://127.0.0.1:PORT/ ...
    let own = format!(
        "Origin: http://{}\r\nSec-Fetch-Site: same-origin\r\n",
        srv.addr()
    );
    for r in both_posts(srv.addr(), &own) {
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // ... and for the page at http://localhost:PORT/.
    let mut bytes = format!(
        "POST /api/check HTTP/1.1\r\nHost: localhost:{port}\r\nOrigin: http://localhost:{port}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        ACID_LABEL.len()
    )
    .into_bytes();
    bytes.extend_from_slice(ACID_LABEL.as_bytes());
    assert_eq!(raw(srv.addr(), &bytes).status, 200);
}

#[test]
fn a_post_without_origin_is_answered() {
    // curl, scripts and other programs send no Origin.
    let srv = server();
    for r in both_posts(srv.addr(), "") {
        assert_eq!(r.status, 200, "{}", r.body);
    }
}

#[test]
fn options_is_204_with_allow_and_grants_no_other_origin() {
    let srv = server();
    let preflight = format!(
        "OPTIONS /api/check HTTP/1.1\r\nHost: {}\r\nOrigin: http://attacker.example\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n",
        srv.addr()
    );
    let r = raw(srv.addr(), preflight.as_bytes());
    assert_eq!(r.status, 204);
    assert_eq!(r.header("allow"), Some("POST, OPTIONS"));
    assert!(r.body.is_empty());
    assert!(
        !r.headers
            .iter()
            .any(|(k, _)| k.to_ascii_lowercase().starts_with("access-control-")),
        "{:?}",
        r.headers
    );
    let r = request(srv.addr(), "OPTIONS", "/", "", b"");
    assert_eq!(r.status, 204);
    assert_eq!(r.header("allow"), Some("GET, HEAD, POST, OPTIONS"));
    assert_eq!(
        request(srv.addr(), "OPTIONS", "/nowhere", "", b"").status,
        404
    );
}

#[test]
fn a_body_over_one_mebibyte_is_413() {
    let srv = server();
    // Declared too large: refused from the headers alone.
    let mut s = connect(srv.addr());
    write!(
        s,
        "POST /api/check HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        2 * 1024 * 1024
    )
    .unwrap();
    let r = read_reply(&mut s);
    assert_eq!(r.status, 413);
    assert!(r.json()["error"].as_str().unwrap().contains("1024 KiB"));

    // Not declared (chunked): refused once the limit is passed.
    let chunk = vec![b'a'; 1024 * 1024 + 1];
    let mut req = b"POST /api/check HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    req.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
    req.extend_from_slice(&chunk);
    req.extend_from_slice(b"\r\n0\r\n\r\n");
    assert_eq!(raw(srv.addr(), &req).status, 413);

    // Exactly the limit is fine as far as size goes.
    let label = format!("Water, Glycerin{}", " ".repeat(1024 * 1024 - 15));
    let r = request(
        srv.addr(),
        "POST",
        "/api/check",
        "text/plain",
        label.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn a_client_that_sends_the_whole_oversize_body_before_reading_still_gets_413() {
    let srv = server();
    let mut s = connect(srv.addr());
    // A write that cannot go on fails instead of hanging the test.
    s.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
    // More than the socket buffers hold, so the server must take it in.
    let body = vec![b'a'; 6 * 1024 * 1024];
    let head = format!(
        "POST /api/check HTTP/1.1\r\nHost: {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        srv.addr(),
        body.len()
    );
    // As urllib, requests and many scripts do: the whole request first, then the answer.
    // Such a client gives up when its write fails (a reset or broken pipe), so the write
    // must succeed for the 413 to reach it.
    let sent = s
        .write_all(head.as_bytes())
        .and_then(|_| s.write_all(&body));
    assert!(sent.is_ok(), "the body could not be sent: {sent:?}");
    let r = read_reply(&mut s);
    assert_eq!(r.status, 413);
    assert_eq!(r.header("connection"), Some("close"));
}

#[test]
fn a_long_label_is_checked_off_the_request_threads() {
    let srv = server();
    // Over the inline limit of 16 KiB: it goes to the blocking pool and still answers.
    let label = vec!["Water, Glycerin, Glycolic Acid"; 1000].join(", ");
    let r = request(
        srv.addr(),
        "POST",
        "/api/check",
        "text/plain",
        label.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["verdict"], "wait");
}

#[test]
fn a_body_that_never_arrives_gets_408_within_the_time_limit() {
    let srv = start(Limits {
        request_time: Duration::from_millis(300),
        ..Limits::default()
    });
    let mut s = connect(srv.addr());
    s.write_all(b"POST /api/check HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nWater")
        .unwrap();
    let mut first = String::new();
    BufReader::new(&mut s).read_line(&mut first).unwrap();
    assert!(first.starts_with("HTTP/1.1 408"), "{first}");
}

#[test]
fn a_client_that_never_finishes_its_headers_is_dropped() {
    let srv = start(Limits {
        header_time: Duration::from_millis(300),
        ..Limits::default()
    });
    let mut s = connect(srv.addr());
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    let mut rest = Vec::new();
    // The server closes the connection: end of stream (or a reset), not a hang. A read
    // that times out means it kept the connection, and fails the test.
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    if let Err(e) = s.read_to_end(&mut rest) {
        assert!(
            !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "the server kept a connection whose headers never ended: {e}"
        );
    }
    assert!(!String::from_utf8_lossy(&rest).contains("200 OK"));
}

#[test]
fn stalled_and_garbage_clients_do_not_block_the_others() {
    let srv = server();
    // A few clients that send half a request and wait, and one that sends garbage.
    let stalled: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut s = connect(srv.addr());
            s.write_all(
                b"POST /api/check HTTP/1.1\r\nHost: localhost\r\nContent-Length: 50\r\n\r\nWat",
            )
            .unwrap();
            s
        })
        .collect();
    let garbage = raw(srv.addr(), b"\x00\xff\xfe NOT HTTP AT ALL\r\n\r\n");
    assert_eq!(garbage.status, 400);
    // Meanwhile, many checks at once all get their answers.
    let addr = srv.addr();
    let workers: Vec<_> = (0..16)
        .map(|_| {
            std::thread::spawn(move || {
                (0..10)
                    .map(|_| post_json(addr, &json!({"label": ACID_LABEL})).status)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for w in workers {
        assert!(w.join().unwrap().iter().all(|&s| s == 200));
    }
    assert_eq!(get(addr, "/healthz").status, 200);
    drop(stalled);
}

/// This process's limit on open files (the soft one), where the system says.
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Connections that keep the server waiting: a third idle, a third sending their
/// headers a byte at a time, a third sending a body a byte at a time. A thread sends
/// the bytes until the returned flag is set.
fn stalling_clients(
    addr: SocketAddr,
    count: usize,
) -> (
    std::sync::Arc<std::sync::atomic::AtomicBool>,
    std::thread::JoinHandle<()>,
) {
    let mut clients: Vec<TcpStream> = (0..count)
        .map(|i| {
            let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(30)).unwrap();
            let start: &[u8] = match i % 3 {
                0 => b"",
                1 => b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ",
                _ => b"POST /api/check HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\nWater",
            };
            s.write_all(start).unwrap();
            s
        })
        .collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let trickle = std::thread::spawn(move || {
        while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
            for s in clients.iter_mut().skip(1).step_by(3) {
                // A client the server closed fails here; that is allowed.
                let _ = s.write(b"a");
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    (stop, trickle)
}

/// `GET /healthz` on a new connection; the reply, or what went wrong, within `wait`.
fn healthz_within(addr: SocketAddr, wait: Duration) -> Result<Reply, String> {
    let started = Instant::now();
    let mut s = TcpStream::connect_timeout(&addr, wait).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(wait)).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|e| format!("write: {e}"))?;
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes)
        .map_err(|e| format!("no answer after {:?}: {e}", started.elapsed()))?;
    if started.elapsed() > wait {
        return Err(format!("answered after {:?}", started.elapsed()));
    }
    Ok(parse_reply(&bytes))
}

#[test]
fn idle_and_trickling_connections_do_not_keep_a_new_client_waiting() {
    // 1,100 such connections against the default 1,024 places, when this process may
    // open 2,200 sockets (both ends are here); fewer against fewer places otherwise.
    let budget = open_file_limit().unwrap_or(1024).saturating_sub(300) / 2;
    let (count, limits) = if budget >= 1100 {
        (1100, Limits::default())
    } else {
        let places = budget * 9 / 10;
        let limits = Limits {
            max_connections: places,
            ..Limits::default()
        };
        (budget, limits)
    };
    assert!(
        count >= 100,
        "too few files allowed for this test: {budget}"
    );
    let srv = start(limits);
    let (stop, trickle) = stalling_clients(srv.addr(), count);
    let answer = healthz_within(srv.addr(), Duration::from_secs(2));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    trickle.join().unwrap();
    let r = answer.unwrap_or_else(|e| panic!("with {count} stalling clients: {e}"));
    assert_eq!(r.status, 200);
}

#[test]
fn a_server_out_of_file_descriptors_still_answers_a_new_client() {
    // The common default limit is 1,024 files, fewer than the 1,024 connections the
    // server keeps plus its own; here the limit is 256 and the clients 300.
    let mut child = std::process::Command::new("sh")
        .args([
            "-c",
            "ulimit -S -n 256 && exec \"$0\" serve --port 0",
            env!("CARGO_BIN_EXE_aftercare"),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let addr = address_printed(&mut child);
    let (stop, trickle) = stalling_clients(addr, 300);
    let answer = healthz_within(addr, Duration::from_secs(2));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    trickle.join().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let r = answer.unwrap_or_else(|e| panic!("with 300 stalling clients and 256 files: {e}"));
    assert_eq!(r.status, 200);
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let srv = server();
    let mut s = connect(srv.addr());
    let body = json!({"label": ACID_LABEL}).to_string();
    let one = format!(
        "POST /api/check HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let last = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    s.write_all(format!("{one}{one}{last}").as_bytes()).unwrap();
    let mut all = String::new();
    s.read_to_string(&mut all).unwrap();
    assert_eq!(all.matches("HTTP/1.1 200 OK").count(), 3, "{all}");
}

#[test]
fn the_plain_form_post_renders_the_answer_in_the_page() {
    let srv = server();
    let body = form(&[
        ("label", ACID_LABEL),
        ("date", "2026-11-25"),
        ("time", "14:00"),
        ("tz", "Europe/London"),
        ("profile", ""),
        ("depth", ""),
        ("type", ""),
        ("name", ""),
    ]);
    let r = request(
        srv.addr(),
        "POST",
        "/",
        "application/x-www-form-urlencoded",
        &body,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.starts_with("<!doctype html>"));
    assert!(
        r.body.contains(
            r#"<h2 class="headline" id="verdict">Check by hand before use: at least 7 days, not before Wednesday 2 December, 14:00</h2><p class="when">1 name not recognised: `Moonstone Dust` (check it by hand, or add it to an overlay)"#
        ),
        "{}",
        r.body
    );
    assert!(r.body.contains(
        r#"<mark class="flag cat-aha" data-category="aha">Glycolic Acid 10%</mark><span class="tag">AHA · 7 days</span>"#
    ));
    assert!(r.body.contains(
        r#"<mark class="flag cat-retinoid" data-category="retinoid">Retinyl Palmitate</mark>"#
    ));
    assert!(
        r.body
            .contains(r#"<mark class="unknown">Moonstone Dust</mark>"#)
    );
    assert!(
        r.body
            .contains("Resume any product only once redness, peeling and flaking have settled.")
    );
    // The form keeps what was typed.
    assert!(r.body.contains(r#"value="2026-11-25""#));
    assert!(
        r.body
            .contains(">Water, Glycerin, Glycolic Acid 10%, Retinyl Palmitate")
    );
}

#[test]
fn the_fragment_route_answers_with_the_result_alone() {
    let srv = server();
    let body = form(&[("label", "Water, Glycerin"), ("profile", "light")]);
    let r = request(
        srv.addr(),
        "POST",
        "/result",
        "application/x-www-form-urlencoded",
        &body,
    );
    assert_eq!(r.status, 200);
    assert!(
        r.body.starts_with(r#"<div class="answer verdict-ok">"#),
        "{}",
        r.body
    );
    assert!(r.body.contains("OK after the first 6 hours"));
    assert!(!r.body.contains("<html"));

    let body = form(&[("label", "Water"), ("date", "2026-11-25")]);
    let r = request(
        srv.addr(),
        "POST",
        "/result",
        "application/x-www-form-urlencoded",
        &body,
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("role=\"alert\"") && r.body.contains("time"));
}

#[test]
fn everything_typed_is_escaped_in_the_page() {
    let srv = server();
    let hostile = "<script>alert(1)</script>";
    let label =
        format!("Water, {hostile}, Glycolic Acid, \"><img src=x onerror=alert(2)>, {{{{answer}}}}");
    let body = form(&[
        ("label", &label),
        ("name", "\"><script>alert(3)</script>"),
        ("depth", "'><b>"),
        ("tz", "\"onmouseover=\"alert(4)"),
    ]);
    let r = request(
        srv.addr(),
        "POST",
        "/",
        "application/x-www-form-urlencoded",
        &body,
    );
    // The depth is invalid, so the answer is an error, and the form is filled again.
    assert_eq!(r.status, 400);
    let body = form(&[("label", &label), ("name", "\"><script>alert(3)</script>")]);
    let ok = request(
        srv.addr(),
        "POST",
        "/",
        "application/x-www-form-urlencoded",
        &body,
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    for page in [&r.body, &ok.body] {
        assert!(!page.contains("<script>alert"), "script left unescaped");
        assert!(!page.contains("<img"), "img left unescaped");
        assert!(!page.contains("\"onmouseover"), "attribute broken out of");
        assert!(!page.contains("<b>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
    // A value that looks like a template token stays text.
    assert!(ok.body.contains("{{answer}}"));
    assert_eq!(ok.body.matches(r#"<div class="answer"#).count(), 1);
    assert!(ok.body.contains("&quot;&gt;&lt;script&gt;alert(3)"));
}

#[test]
fn the_command_prints_its_address_and_stops_cleanly_on_ctrl_c() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args(["serve", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let addr = address_printed(&mut child);
    assert!(addr.ip().is_loopback());
    assert_eq!(get(addr, "/healthz").status, 200);
    let pid = child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("`aftercare serve` did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("stopped"), "{err}");
}

/// The address `aftercare serve` prints on its first line.
fn address_printed(child: &mut std::process::Child) -> SocketAddr {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap()
}

/// `aftercare serve` with `args` as a process, killed when dropped.
struct Command {
    child: std::process::Child,
    addr: SocketAddr,
}

impl Command {
    fn start(args: &[&str]) -> Command {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aftercare"))
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let addr = address_printed(&mut child);
        Command { child, addr }
    }
}

impl Drop for Command {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_command_answers_to_the_names_given_with_allow_host() {
    let served = Command::start(&[
        "--allow-host",
        "clinic-pc.local",
        "--allow-host",
        "10.1.2.3",
    ]);
    let port = served.addr.port();
    assert_eq!(
        get_as(served.addr, &format!("clinic-pc.local:{port}")).status,
        200
    );
    assert_eq!(get_as(served.addr, "10.1.2.3").status, 200);
    assert_eq!(
        get_as(served.addr, &format!("localhost:{port}")).status,
        200
    );
    let r = get_as(served.addr, &format!("attacker.example:{port}"));
    assert_eq!(r.status, 421);
    assert!(r.body.contains("`clinic-pc.local`"), "{}", r.body);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args(["serve", "--allow-host", "http://clinic-pc.local:8787"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a host name"), "{err}");
}

#[test]
fn the_command_refuses_a_port_in_use_and_a_bad_address() {
    let srv = server();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args(["serve", "--port", &srv.addr().port().to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot listen on") && err.contains("--port 0"),
        "{err}"
    );

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args(["serve", "--bind", "localhost:80"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// One server for the property tests below, started once.
fn shared() -> SocketAddr {
    static SERVER: std::sync::OnceLock<Running> = std::sync::OnceLock::new();
    SERVER.get_or_init(server).addr()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..Default::default() })]

    #[test]
    fn any_label_gets_an_answer_never_a_dropped_connection(label in "[\\PC<>&\"'{}\n]{0,300}") {
        let r = request(shared(), "POST", "/api/check", "text/plain", label.as_bytes());
        proptest::prop_assert!(r.status == 200 || r.status == 422, "{} {}", r.status, r.body);
        let v = r.json();
        proptest::prop_assert!(v.get("verdict").is_some() || v.get("error").is_some());
    }

    #[test]
    fn nothing_typed_into_the_form_reaches_the_page_as_markup(
        label in "(<x-evil>|Glycolic Acid|Water|[a-zA-Z ,;()/<>&\"'{}%.-]){0,40}",
        name in "(<x-evil>|[a-z \"'<>]){0,10}",
        depth in "(<x-evil>|[0-9.]){0,4}",
    ) {
        let body = form(&[("label", &label), ("name", &name), ("depth", &depth)]);
        let r = request(shared(), "POST", "/", "application/x-www-form-urlencoded", &body);
        proptest::prop_assert!([200, 400, 422].contains(&r.status), "{}", r.status);
        proptest::prop_assert!(!r.body.contains("<x-evil"), "unescaped input in {}", r.body);
    }
}

#[test]
fn an_unknown_product_type_is_a_422_naming_the_valid_ones() {
    let srv = server();
    let r = post_json(
        srv.addr(),
        &json!({"label": "Water, Glycerin", "type": "makup"}),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("`makeup`"), "{}", r.body);
}

#[test]
fn the_api_reads_a_python_list_label_as_batch_does() {
    let srv = server();
    let r = post_json(
        srv.addr(),
        &json!({"label": "['water', 'GLYCERIN', 'retinol', 'phenoxyethanol']"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["findings"][0]["category"], "retinoid");
    assert_eq!(v["ingredients"].as_array().unwrap().len(), 4);
}
