//! The page in a real browser: Debian's headless Chromium, driven over the DevTools
//! protocol (a websocket, with `tungstenite`), pastes a label with an acid, submits it
//! with a mouse click, and reads the verdict and the highlighted ingredient; then the
//! same with JavaScript disabled (the plain form post), a hostile label sent with the
//! keyboard, and a phone-sized screen. Screenshots go to `target/browser/`.
//!
//! The test needs Chromium, so a plain `cargo test` lists it as ignored rather than
//! passing it having checked nothing; `cargo test --test browser -- --ignored` runs it
//! and fails without Chromium. `.ci/run` installs Chromium and runs it.
//! `AFTERCARE_CHROMIUM` names another binary.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aftercare::Checker;
use aftercare::serve::{Limits, Server};
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

const LABEL: &str = "Aqua (Water), Glycolic Acid, Rosa Damascena Flower Water, Glycerin, \
Sodium Hydroxide, Panax Ginseng Root Extract, Tocopherol, Polysorbate 20, Phenoxyethanol, \
Caprylyl Glycol";

#[test]
#[ignore = "needs Chromium: cargo test --test browser -- --ignored (.ci/run runs it)"]
fn the_page_answers_in_a_real_browser() {
    let binary = chromium()
        .expect("Chromium not found (install Debian's `chromium`, or set AFTERCARE_CHROMIUM)");
    let shots = target_dir().join("browser");
    std::fs::create_dir_all(&shots).unwrap();

    let server = Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        Checker::embedded().unwrap(),
        Limits::default(),
    )
    .unwrap()
    .spawn();
    let url = format!("http://{}/", server.addr());

    let mut browser = Browser::launch(&binary, &shots.join("chromium.log"));
    let mut page = browser.new_page();
    page.call(
        "Emulation.setTimezoneOverride",
        json!({"timezoneId": "Europe/London"}),
    );

    // 1. With JavaScript: paste, click, and the answer arrives without a reload.
    page.open(&url);
    page.eval("window.__samePage = 'yes'");
    page.paste("#label", LABEL);
    page.eval("document.getElementById('date').value = '2026-11-25'");
    page.eval("document.getElementById('time').value = '14:00'");
    page.click("#check");
    let headline = page.wait_for("document.querySelector('#result .headline')?.textContent");
    assert_eq!(headline, "Wait 7 days: from Wednesday 2 December");
    assert_eq!(page.eval("window.__samePage"), "yes", "the page reloaded");
    assert_eq!(
        page.eval("document.querySelector('#result mark.flag').textContent"),
        "Glycolic Acid"
    );
    assert_eq!(
        page.eval("document.querySelector('#result mark.flag').dataset.category"),
        "aha"
    );
    assert_eq!(
        page.eval("document.querySelector('#result mark.flag').nextElementSibling.textContent"),
        "AHA · 7 days"
    );
    // The mark is visibly highlighted (the style sheet loaded under the policy) and the
    // focus moved to the answer, for keyboard and screen-reader users.
    let background =
        page.eval("getComputedStyle(document.querySelector('#result mark.flag')).backgroundColor");
    assert_ne!(
        background, "rgba(0, 0, 0, 0)",
        "the mark is not highlighted"
    );
    assert_eq!(page.eval("document.activeElement.id"), "result");
    // The browser's own time zone reached the server through the page's script.
    assert_eq!(
        page.eval("document.getElementById('tz').value"),
        "Europe/London"
    );
    // Everything the page loaded came from this server.
    let foreign = page.eval(&format!(
        "performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('{url}')).join(' ')"
    ));
    assert_eq!(foreign, "", "the page loaded something from elsewhere");
    page.screenshot(&shots.join("serve-desktop.png"));

    // 2. A hostile label, sent from the keyboard (Ctrl+Enter in the list): shown as text.
    let hostile = "Water, <img src=x onerror=\"window.__pwned=1\">, <script>window.__pwned=2</script>, Salicylic Acid";
    page.eval("document.getElementById('label').value = ''");
    page.paste("#label", hostile);
    page.eval("document.getElementById('result').replaceChildren()");
    page.key_ctrl_enter();
    let marked = page.wait_for("document.querySelector('#marked-label')?.textContent");
    assert!(marked.contains("<img src=x onerror="), "{marked}");
    assert!(
        marked.contains("<script>window.__pwned=2</script>"),
        "{marked}"
    );
    assert_eq!(
        page.eval("String(window.__pwned)"),
        "undefined",
        "markup ran"
    );
    assert_eq!(
        page.eval("document.querySelectorAll('#result img, #result script').length.toString()"),
        "0"
    );
    assert_eq!(
        page.eval("document.querySelector('#result mark.cat-bha').textContent"),
        "Salicylic Acid"
    );

    // 3. A phone-sized screen: nothing wider than the screen.
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true}),
    );
    page.open(&url);
    page.paste("#label", LABEL);
    page.click("#check");
    page.wait_for("document.querySelector('#result .headline')?.textContent");
    let fits = page.eval(
        "(document.documentElement.scrollWidth <= window.innerWidth + 1) + ' ' + document.documentElement.scrollWidth + ' ' + window.innerWidth",
    );
    assert!(fits.starts_with("true"), "wider than a phone: {fits}");
    page.screenshot(&shots.join("serve-phone.png"));
    page.call("Emulation.clearDeviceMetricsOverride", json!({}));

    // 4. Without JavaScript: the same form posts and the server renders the page.
    page.call(
        "Emulation.setScriptExecutionDisabled",
        json!({"value": true}),
    );
    page.open(&url);
    assert_eq!(
        page.eval("document.getElementById('shortcut').hidden"),
        "true"
    );
    page.paste("#label", LABEL);
    page.click("#check");
    let headline = page.wait_for(
        "location.pathname === '/' && document.readyState === 'complete' && document.querySelector('#result .headline')?.textContent",
    );
    assert_eq!(headline, "Wait 7 days: from day 8");
    assert_eq!(
        page.eval("document.querySelector('#result mark.flag').textContent"),
        "Glycolic Acid"
    );
    // The form holds the label again, for a correction and another try.
    assert_eq!(page.eval("document.getElementById('label').value"), LABEL);
    page.screenshot(&shots.join("serve-nojs.png"));

    drop(page);
    browser.close();
    server.stop().unwrap();
}

/// Chromium from `AFTERCARE_CHROMIUM` or the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("AFTERCARE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
        .find(|p| p.is_file())
}

/// The cargo target directory (`target/` unless CARGO_TARGET_DIR says otherwise).
fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

/// How long any one step may take before the test gives up (a deadline against a
/// hang, not a speed check).
const STEP: Duration = Duration::from_secs(30);

struct Browser {
    child: Child,
    profile: PathBuf,
    socket: WebSocket<TcpStream>,
    next_id: u64,
}

impl Browser {
    /// Starts Chromium with a fresh profile and connects to its DevTools socket, whose
    /// port Chromium writes to `DevToolsActivePort` in the profile.
    fn launch(binary: &Path, log: &Path) -> Browser {
        let profile = std::env::temp_dir().join(format!(
            "aftercare-chromium-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        let log = std::fs::File::create(log).unwrap();
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                "--window-size=1200,1000",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `{}`: {e}", binary.display()));
        let mut browser_guard = ChildGuard(Some(child));
        let active = profile.join("DevToolsActivePort");
        let deadline = Instant::now() + STEP;
        let (port, path) = loop {
            if let Ok(text) = std::fs::read_to_string(&active) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    break (port.to_string(), path.to_string());
                }
            }
            if let Some(status) = browser_guard.0.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "Chromium exited ({status}) before opening DevTools; see target/browser/chromium.log"
                );
            }
            assert!(Instant::now() < deadline, "Chromium did not open DevTools");
            std::thread::sleep(Duration::from_millis(50));
        };
        let stream = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        stream.set_read_timeout(Some(STEP)).unwrap();
        let (socket, _) =
            tungstenite::client(format!("ws://127.0.0.1:{port}{path}"), stream).unwrap();
        Browser {
            child: browser_guard.0.take().unwrap(),
            profile,
            socket,
            next_id: 0,
        }
    }

    /// Sends one command (to a page when `session` is given) and waits for its answer;
    /// events that arrive meanwhile are skipped.
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.socket
            .send(Message::text(msg.to_string()))
            .unwrap_or_else(|e| panic!("DevTools `{method}`: {e}"));
        loop {
            let reply = self
                .socket
                .read()
                .unwrap_or_else(|e| panic!("DevTools `{method}`: {e}"));
            let Message::Text(text) = reply else { continue };
            let v: Value = serde_json::from_str(text.as_str()).unwrap();
            if v["id"] != json!(id) {
                continue;
            }
            if let Some(e) = v.get("error") {
                return json!({"error": e});
            }
            return v["result"].clone();
        }
    }

    fn new_page(&mut self) -> Tab<'_> {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        let session = attached["sessionId"].as_str().unwrap().to_string();
        let mut tab = Tab {
            browser: self,
            session,
        };
        tab.call("Page.enable", json!({}));
        tab
    }

    fn close(mut self) {
        let _ = self.call(None, "Browser.close", json!({}));
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Kills Chromium if the launch fails half-way.
struct ChildGuard(Option<Child>);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// One page of the browser.
struct Tab<'a> {
    browser: &'a mut Browser,
    session: String,
}

impl Tab<'_> {
    fn call(&mut self, method: &str, params: Value) -> Value {
        let r = self.browser.call(Some(&self.session), method, params);
        if let Some(e) = r.get("error") {
            panic!("DevTools `{method}` failed: {e}");
        }
        r
    }

    /// Evaluates an expression in the page and returns its value as a string; an error
    /// or exception comes back as `Err`.
    fn try_eval(&mut self, expression: &str) -> Result<String, String> {
        let r = self.browser.call(
            Some(&self.session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        if let Some(e) = r.get("error") {
            return Err(e.to_string());
        }
        if let Some(e) = r.get("exceptionDetails") {
            return Err(e.to_string());
        }
        Ok(match &r["result"]["value"] {
            Value::String(s) => s.clone(),
            Value::Null => match r["result"]["type"].as_str() {
                Some("undefined") => "undefined".into(),
                _ => "null".into(),
            },
            v => v.to_string(),
        })
    }

    fn eval(&mut self, expression: &str) -> String {
        self.try_eval(expression)
            .unwrap_or_else(|e| panic!("`{expression}` failed: {e}"))
    }

    /// Waits until the expression gives a non-empty string (it may fail meanwhile, as
    /// a page navigates), and returns it.
    fn wait_for(&mut self, expression: &str) -> String {
        let deadline = Instant::now() + STEP;
        loop {
            if let Ok(v) = self.try_eval(expression)
                && !["", "null", "undefined", "false"].contains(&v.as_str())
            {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "waited in vain for `{expression}`"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn open(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for(
            "document.readyState === 'complete' && location.href !== 'about:blank' && !!document.getElementById('check-form')",
        );
    }

    /// Focuses the field and inserts the text as a paste or an input method would.
    fn paste(&mut self, selector: &str, text: &str) {
        self.eval(&format!(
            "document.querySelector({}).focus()",
            json!(selector)
        ));
        self.call("Input.insertText", json!({"text": text}));
    }

    /// A real mouse click in the middle of the element.
    fn click(&mut self, selector: &str) {
        let rect = self.eval(&format!(
            "(() => {{ const e = document.querySelector({}); e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); return JSON.stringify([r.x + r.width / 2, r.y + r.height / 2]); }})()",
            json!(selector)
        ));
        let [x, y]: [f64; 2] = serde_json::from_str(&rect).unwrap();
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    fn key_ctrl_enter(&mut self) {
        for kind in ["rawKeyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": "Enter", "code": "Enter",
                       "windowsVirtualKeyCode": 13, "modifiers": 2}),
            );
        }
    }

    fn screenshot(&mut self, path: &Path) {
        let shot = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true}),
        );
        let png = data_encoding::BASE64
            .decode(shot["data"].as_str().unwrap().as_bytes())
            .unwrap();
        std::fs::write(path, png).unwrap();
    }
}
