//! [`MockServer`]: the listener, its tokio runtime on a background thread,
//! and the shared state the handlers record into.

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::config::MockConfig;
use crate::handler;
use crate::metrics::{Counters, Metrics};
use crate::record::{Route, Served, Sink};
use crate::text;

/// What every connection's handlers share.
pub(crate) struct State {
    pub(crate) config: MockConfig,
    /// `config.seed`, or the one drawn at start.
    pub(crate) seed: u64,
    pub(crate) metrics: Metrics,
    pub(crate) sink: Sink,
    next_id: AtomicU64,
}

impl State {
    /// A record for a new request, counted in `requests_total`; `received`
    /// is set by the caller once the body is read.
    pub(crate) fn new_record(&self, route: Route, path: String) -> Served {
        self.metrics.request();
        Served {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            route,
            path,
            status: 0,
            stream: false,
            injected_error: false,
            requested_tokens: None,
            prompt_tokens: 0,
            output_tokens: 0,
            received: Instant::now(),
            first_token: None,
            last_token: None,
            completed: None,
        }
    }
}

/// A running mock server. It serves on a tokio runtime of its own, on a
/// background thread, so it can be started from a plain `#[test]` or `main`.
/// Dropping it stops the server: the listener closes, open connections are
/// dropped (a stream cut short is recorded with `completed: None`), and the
/// record file, if any, is written to its end.
///
/// ```
/// use aiperf_mock_server::{MockConfig, MockServer};
///
/// let server = MockServer::start(MockConfig::fast()).unwrap();
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// assert!(server.served().is_empty());
/// ```
pub struct MockServer {
    addr: SocketAddr,
    url: String,
    origin: Instant,
    origin_unix: SystemTime,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    writer: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.url)
            .field("seed", &self.state.seed)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Validates `config`, binds its address (port 0: a free one), creates
    /// the record file if one is set, and starts serving on a background
    /// thread. Returns once the listener is bound: requests can be sent at
    /// once.
    pub fn start(config: MockConfig) -> io::Result<MockServer> {
        config.validate()?;
        let listener = std::net::TcpListener::bind((config.host.as_str(), config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let origin = Instant::now();
        let origin_unix = SystemTime::now();
        let (sink, writer) = Sink::new(
            origin,
            origin_unix,
            config.keep_records,
            config.record.as_deref(),
        )?;
        let seed = config.seed.unwrap_or_else(random_seed);

        let mut builder = if config.workers == 1 {
            tokio::runtime::Builder::new_current_thread()
        } else {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(config.workers);
            b
        };
        let runtime = builder
            .enable_io()
            .enable_time()
            .thread_name("aiperf-mock-server")
            .build()?;

        let state = Arc::new(State {
            config,
            seed,
            metrics: Metrics::default(),
            sink,
            next_id: AtomicU64::new(0),
        });
        let (shutdown, on_shutdown) = oneshot::channel();
        let serving = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("aiperf-mock-server".to_owned())
            .spawn(move || {
                runtime.block_on(serve(listener, serving, on_shutdown));
                // Dropping the runtime here drops every open connection.
                drop(runtime);
            })?;
        Ok(MockServer {
            addr,
            url: format!("http://{addr}"),
            origin,
            origin_unix,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
            writer,
        })
    }

    /// The base URL, `http://HOST:PORT` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound address (with the port picked when the config asked for 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The seed in use: the config's, or the one drawn at start.
    pub fn seed(&self) -> u64 {
        self.state.seed
    }

    /// The config the server runs with.
    pub fn config(&self) -> &MockConfig {
        &self.state.config
    }

    /// When the server started: the origin of the `*_ns` offsets in the
    /// JSON records (see [`Served::to_json_line`]).
    pub fn origin(&self) -> Instant {
        self.origin
    }

    /// The wall-clock time of [`MockServer::origin`].
    pub fn origin_unix(&self) -> SystemTime {
        self.origin_unix
    }

    /// A copy of the records so far, in the order their answers finished
    /// (empty when `keep_records` is off).
    pub fn served(&self) -> Vec<Served> {
        self.state.sink.snapshot()
    }

    /// The records so far, removing them (so that a test can look at one
    /// phase at a time).
    pub fn take_served(&self) -> Vec<Served> {
        self.state.sink.take()
    }

    /// The counters `/metrics` shows.
    pub fn counters(&self) -> Counters {
        self.state.metrics.snapshot()
    }

    /// Blocks until the server stops, which it does not do by itself: for a
    /// binary that serves until it is killed.
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        drop(self.shutdown.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.state.sink.close_file();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// A seed from the clock and the process id, for runs that give none.
fn random_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64;
    text::mix(nanos ^ (u64::from(std::process::id()) << 32))
}

/// Accepts connections until `shutdown` fires (or its sender is dropped).
async fn serve(
    listener: std::net::TcpListener,
    state: Arc<State>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let listener = match TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("aiperf-mock-server: cannot listen: {e}");
            return;
        }
    };
    loop {
        let accepted = poll_fn(|cx| {
            if Pin::new(&mut shutdown).poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            listener.poll_accept(cx).map(Some)
        })
        .await;
        match accepted {
            None => return,
            Some(Ok((stream, _peer))) => {
                tokio::spawn(connection(stream, Arc::clone(&state)));
            }
            Some(Err(e)) => {
                // A connection reset before it was accepted is the client's
                // business; anything else (out of file descriptors, ...) is
                // reported, and accepting resumes after a pause.
                if !matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                ) {
                    eprintln!("aiperf-mock-server: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }
}

/// Serves one HTTP/1.1 connection, keep-alive, until the client closes it.
async fn connection(stream: TcpStream, state: Arc<State>) {
    // Each event is its own small write: without NODELAY, Nagle's algorithm
    // and delayed ACKs would hold tokens back by up to 40 ms.
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |req| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Infallible>(handler::handle(state, req).await) }
    });
    // No header-read timeout (it needs a timer and would close idle
    // keep-alive connections): a connection lives until the client closes it
    // or the server stops.
    let _ = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}
