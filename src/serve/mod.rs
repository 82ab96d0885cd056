//! `aftercare serve`: a local HTTP server with one page for pasting a label and a JSON
//! API for other programs.
//!
//! This module owns the connection side: binding, the accept loop, the limits that keep
//! one client from hurting the others (body size, time per request, time to send the
//! headers, open connections, and which connection gives up its place to a new client),
//! the lingering close after a refused body, and graceful shutdown. Routing, the rules
//! on `Host` and `Origin`, the JSON routes and the security headers every response
//! carries are in [`api`]; the HTML page and the rendered answer are in [`page`].
//! Checking is the library's [`Checker`], built once and shared by every request. The
//! module never prints: the CLI prints the address.
//!
//! Why hyper on a small tokio runtime rather than a thread-per-connection server: a
//! slow or idle client then costs a task, not a worker thread, so a handful of stalled
//! connections cannot starve the page; hyper enforces a header-read deadline; and the
//! checks themselves are short enough (about 0.1 ms for a real label) to run on the
//! runtime's threads, while a long label runs on the blocking pool (see `api`).

mod api;
mod page;

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWrite;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, oneshot, watch};
use tokio::task::JoinSet;

use crate::assess::Checker;

/// The limits that keep one request or client from blocking the others.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body; larger bodies get 413.
    pub body_bytes: usize,
    /// Time for one request, from its headers to its response (reading the body and
    /// checking included); past it the client gets 408 (body too slow) or 503.
    pub request_time: Duration,
    /// Time a client has to send a request's headers, also the longest an idle
    /// keep-alive connection stays open.
    pub header_time: Duration,
    /// Open connections. A client arriving when all are open takes the place of the
    /// connection that has kept the server waiting longest (idle, or sending its
    /// request slowly); it waits only while every connection has a request being
    /// worked on.
    pub max_connections: usize,
    /// Labels up to this size are checked on the runtime's threads; longer ones on the
    /// blocking pool, a few at a time, so that they cannot delay short ones.
    pub inline_label_bytes: usize,
    /// How long requests in flight may take to finish after a shutdown signal.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_bytes: 1024 * 1024,
            request_time: Duration::from_secs(10),
            header_time: Duration::from_secs(10),
            max_connections: 1024,
            inline_label_bytes: 16 * 1024,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// Why the server could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on `{addr}`: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the server: {0}")]
    Start(std::io::Error),
    #[error("the server stopped unexpectedly")]
    Crashed,
}

/// A bound, not yet running server.
pub struct Server {
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    state: State,
}

/// A server running on a background thread (for tests and embedding). Dropping it
/// stops the server.
pub struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), ServeError>>>,
}

impl Server {
    /// Binds the address (port 0 picks a free one) and starts the runtime's threads.
    /// Binding happens here, before serving, so that the caller can report the address
    /// or the error, and clients can connect from then on.
    pub fn bind(addr: SocketAddr, checker: Checker, limits: Limits) -> Result<Server, ServeError> {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("aftercare-serve")
            .enable_all()
            .build()
            .map_err(ServeError::Start)?;
        let listener = {
            let _in_runtime = runtime.enter();
            listen(addr).map_err(|source| ServeError::Bind { addr, source })?
        };
        let state = State::new(checker, limits);
        Ok(Server {
            runtime,
            listener,
            state,
        })
    }

    /// Names the server answers to besides `localhost` and the address a client
    /// connected to (such as the computer's name on the clinic's network). Requests
    /// naming anything else in their `Host` header are refused with 421, so that a web
    /// page whose name an attacker points at this computer (DNS rebinding) cannot use
    /// the server. Names are compared without case and with any port.
    pub fn allow_hosts<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Server {
        self.state
            .allowed_hosts
            .extend(names.into_iter().map(|n| api::host_name(n.as_ref())));
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then stops accepting and gives requests in
    /// flight `Limits::shutdown_grace` to finish. Blocks the calling thread.
    pub fn run<F>(self, shutdown: F) -> Result<(), ServeError>
    where
        F: Future<Output = ()> + Send,
    {
        let Server {
            runtime,
            listener,
            state,
        } = self;
        runtime.block_on(accept_loop(listener, Arc::new(state), shutdown));
        Ok(())
    }

    /// Runs the server on a background thread.
    pub fn spawn(self) -> Running {
        let addr = self.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("aftercare-serve-main".into())
            .spawn(move || {
                self.run(async {
                    // A dropped sender stops the server too.
                    let _ = stopped.await;
                })
            })
            .expect("the OS can start a thread");
        Running {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

/// Connections the kernel completes and queues while the server is busy accepting
/// others. std's 128 overflows when hundreds of clients connect at once, and a client
/// whose connection does not fit waits a second or more for its retry.
const LISTEN_BACKLOG: u32 = 1024;

fn listen(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // As std does on Unix: a restarted server gets its port back at once.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

impl Running {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server and waits for it.
    pub fn stop(mut self) -> Result<(), ServeError> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<(), ServeError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| ServeError::Crashed)?,
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}

/// Completes on Ctrl-C, or on SIGTERM where there is one: what `aftercare serve` waits
/// for before it stops.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// What every request shares: the checker and the limits.
struct State {
    checker: Checker,
    limits: Limits,
    /// Bounds the long labels checked at once on the blocking pool.
    long_checks: Arc<Semaphore>,
    /// Product types offered by the page, from the database.
    product_types: Vec<String>,
    /// The zone for treatment times when a request names none.
    default_tz: jiff::tz::TimeZone,
    /// Host names answered besides `localhost` and the address connected to, in the
    /// form `api::host_name` gives.
    allowed_hosts: Vec<String>,
}

impl State {
    fn new(checker: Checker, limits: Limits) -> State {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let product_types = page::product_types(checker.db());
        State {
            checker,
            limits,
            long_checks: Arc::new(Semaphore::new(threads)),
            product_types,
            default_tz: jiff::tz::TimeZone::system(),
            allowed_hosts: Vec::new(),
        }
    }
}

async fn accept_loop<F>(listener: tokio::net::TcpListener, state: Arc<State>, shutdown: F)
where
    F: Future<Output = ()> + Send,
{
    let places = Arc::new(Places::new(state.limits.max_connections));
    let (closing, closing_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) if is_lost_connection(&e) => continue,
                Err(_) => {
                    // Most likely out of file descriptors (the system's limit on open
                    // files is often 1,024, below `max_connections` plus the server's
                    // own): make room as for a full house, then try again.
                    places.make_room().await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let Ok(local) = stream.local_addr() else {
            continue;
        };
        let place = tokio::select! {
            _ = &mut shutdown => break,
            place = places.take(local) => place,
        };
        connections.spawn(connection(stream, place, state.clone(), closing_rx.clone()));
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = closing.send(true);
    let grace = state.limits.shutdown_grace;
    let _ = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    connections.abort_all();
}

/// An accept error that concerns only the connection being accepted (its client gave
/// up), not the server.
fn is_lost_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionReset, Interrupted, WouldBlock};
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | Interrupted | WouldBlock
    )
}

/// Serves one connection (HTTP/1.1 with keep-alive) until it closes, the server shuts
/// down, or its place is given to a new client. The place is freed when the task ends.
async fn connection(
    stream: tokio::net::TcpStream,
    place: Place,
    state: Arc<State>,
    mut closing: watch::Receiver<bool>,
) {
    let client = place.client.clone();
    let service_state = state.clone();
    let service_client = client.clone();
    let service = service_fn(move |request: Request<Incoming>| -> Answer {
        let state = service_state.clone();
        let client = service_client.clone();
        Box::pin(async move {
            client.busy();
            let answer = api::handle(request, &state, &client).await;
            client.waiting();
            Ok(answer)
        })
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(state.limits.header_time)
        .max_buf_size(64 * 1024);
    let mut conn = builder.serve_connection(TokioIo::new(stream), service);
    let mut signalled = false;
    let finished = loop {
        tokio::select! {
            done = std::future::poll_fn(|cx| conn.poll_without_shutdown(cx)) => break done,
            // Dropping the connection closes the socket.
            _ = client.evicted.notified() => return,
            changed = closing.wait_for(|c| *c), if !signalled => {
                let _ = changed;
                signalled = true;
                Pin::new(&mut conn).graceful_shutdown();
            }
        }
    };
    if finished.is_ok() && client.unread_body.load(Ordering::Relaxed) {
        tokio::select! {
            _ = linger(conn.into_parts().io.into_inner()) => {}
            _ = client.evicted.notified() => {}
        }
    }
}

/// What one service call returns; boxed so that the connection can hand back its
/// socket when it ends (`poll_without_shutdown` wants an `Unpin` future).
type Answer = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

/// One client's connection, as the routes and `Places` see it.
struct Client {
    /// The address the client connected to: with `--bind 0.0.0.0`, the one of this
    /// computer's addresses it used, which its `Host` header may name.
    local: SocketAddr,
    /// Set while the request being answered has a body the server has not read to
    /// the end: its answer then closes the connection, after a lingering read.
    unread_body: AtomicBool,
    /// Since when the server has been waiting on the client (for a request's headers
    /// or body, or to take its answer), in microseconds since `epoch` plus one; 0
    /// while the server works on a request.
    waiting_since: AtomicU64,
    epoch: Instant,
    /// Notified when the connection's place is given to a new client.
    evicted: Notify,
}

impl Client {
    fn new(local: SocketAddr, epoch: Instant) -> Client {
        let client = Client {
            local,
            unread_body: AtomicBool::new(false),
            waiting_since: AtomicU64::new(0),
            epoch,
            evicted: Notify::new(),
        };
        client.waiting();
        client
    }

    /// The server is working on a request: the connection keeps its place.
    fn busy(&self) {
        self.waiting_since.store(0, Ordering::Relaxed);
    }

    /// The server waits on the client from now: the connection may lose its place.
    fn waiting(&self) {
        let since = u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX - 1);
        self.waiting_since.store(since + 1, Ordering::Relaxed);
    }

    fn waiting_since(&self) -> Option<u64> {
        match self.waiting_since.load(Ordering::Relaxed) {
            0 => None,
            since => Some(since),
        }
    }
}

/// The places for open connections (`Limits::max_connections`). When all are taken,
/// a new client takes the place of the connection that has kept the server waiting
/// longest (idle, sending its headers or body slowly, or not reading its answer):
/// such clients cost the server nothing to drop and would otherwise keep every new
/// client out until their deadlines. Only when every connection has a request being
/// worked on does a new client wait, for the first place freed.
struct Places {
    free: Arc<Semaphore>,
    open: Mutex<HashMap<u64, Arc<Client>>>,
    next_id: AtomicU64,
    /// Notified whenever a connection's place is freed (its socket already closed).
    freed: Notify,
    epoch: Instant,
}

/// A connection's place, freed when the connection's task ends.
struct Place {
    places: Arc<Places>,
    id: u64,
    client: Arc<Client>,
    _permit: OwnedSemaphorePermit,
}

impl Places {
    fn new(max_connections: usize) -> Places {
        Places {
            free: Arc::new(Semaphore::new(max_connections)),
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            freed: Notify::new(),
            epoch: Instant::now(),
        }
    }

    /// A place for a new connection: a free one, or the one of the connection that has
    /// waited longest on its client, or else the first one freed.
    async fn take(self: &Arc<Places>, local: SocketAddr) -> Place {
        let permit = match self.free.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                self.evict_longest_waiting();
                self.free
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed")
            }
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let client = Arc::new(Client::new(local, self.epoch));
        self.lock().insert(id, client.clone());
        Place {
            places: self.clone(),
            id,
            client,
            _permit: permit,
        }
    }

    /// Frees a file descriptor: closes the connection that has waited longest on its
    /// client and waits (briefly) until it is gone; pauses a little when none can go.
    async fn make_room(&self) {
        let freed = self.freed.notified();
        tokio::pin!(freed);
        freed.as_mut().enable();
        if self.evict_longest_waiting() {
            let _ = tokio::time::timeout(Duration::from_millis(100), freed).await;
        } else {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Tells the connection that has waited longest on its client to close; false
    /// when every connection has a request being worked on.
    fn evict_longest_waiting(&self) -> bool {
        let mut open = self.lock();
        let longest = open
            .iter()
            .filter_map(|(id, client)| Some((client.waiting_since()?, *id)))
            .min();
        let Some((_, id)) = longest else {
            return false;
        };
        if let Some(client) = open.remove(&id) {
            client.evicted.notify_one();
        }
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Client>>> {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.places.lock().remove(&self.id);
        self.places.freed.notify_waiters();
    }
}

/// How much of an unread request body is read and thrown away before the socket
/// closes, and for how long at most.
const LINGER_BYTES: usize = 8 * 1024 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(5);

/// Closes a connection whose client may still be sending a body the server refused
/// (413, or an answer given before the body was read). Closing a socket with unread
/// data makes the kernel send a reset, and a client that writes its whole request
/// before reading (curl, urllib, most scripts) then sees a broken pipe instead of the
/// answer. So: end the answer (a FIN), read and discard what the client still sends,
/// bounded in bytes and time, and close when it has finished or stopped.
async fn linger(mut stream: tokio::net::TcpStream) {
    let _ = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_shutdown(cx)).await;
    let mut buf = vec![0u8; 64 * 1024];
    let mut left = LINGER_BYTES;
    let _ = tokio::time::timeout(LINGER_TIME, async {
        while left > 0 {
            if stream.readable().await.is_err() {
                break;
            }
            match stream.try_read(&mut buf) {
                Ok(0) => break,
                Ok(n) => left = left.saturating_sub(n),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
    })
    .await;
}

/// A response body: always whole, so every response has a Content-Length.
type Body = http_body_util::Full<hyper::body::Bytes>;

fn response(
    status: u16,
    content_type: &str,
    body: impl Into<hyper::body::Bytes>,
) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(hyper::header::CONTENT_TYPE, content_type)
        .body(Body::new(body.into()))
        .expect("status and header are valid")
}
