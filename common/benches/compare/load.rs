//! Closed-loop load: each client thread sends one request, waits for its
//! reply, checks it byte for byte, and only then sends the next. So the
//! rate measured is what the server sustains, one request in flight per
//! client, and every reply is checked.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, UdpSocket};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Protocol {
    Udp,
    Tcp,
}

/// Bounds of one load phase, per client thread: it stops at whichever
/// comes first, `time` or `count` requests. `timeout` bounds each one.
#[derive(Clone, Copy)]
pub struct Limits {
    pub time: Duration,
    pub count: u64,
    pub timeout: Duration,
}

/// What a phase gave: counts, wall time, and the latency of each good
/// exchange.
#[derive(Default)]
pub struct Outcome {
    /// Replies that were exactly the expected bytes.
    pub ok: u64,
    /// Replies that were not.
    pub wrong: u64,
    /// Requests with no reply in time, or that failed (refused, reset).
    pub missing: u64,
    /// Of `missing`, those that ran out of time.
    pub timed_out: u64,
    /// From the start of the first request to the end of the last.
    pub elapsed: Duration,
    /// The time the load was meant to take (zero: not a timed load), and
    /// the good exchanges that ended within it. A request still waiting
    /// when the time is up is finished and checked, but it does not count
    /// towards the rate: a client held up for a second by a dropped
    /// connection request must lower the rate, not stretch the phase.
    window: Duration,
    in_window: u64,
    /// Latencies of the good exchanges, in nanoseconds; sorted once the
    /// phase is over.
    latencies: Vec<u64>,
    /// The first thing that went wrong, to show.
    pub problem: Option<String>,
}

impl Outcome {
    /// A good exchange, and how long it took.
    pub fn record(&mut self, latency: Duration) {
        self.ok += 1;
        self.latencies
            .push(u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX));
    }

    /// A reply that is not the expected bytes.
    pub fn record_wrong(&mut self, got: &[u8], expected: &[u8]) {
        self.wrong += 1;
        self.problem.get_or_insert_with(|| {
            format!(
                "wrong reply {:?}, expected {:?}",
                String::from_utf8_lossy(got),
                String::from_utf8_lossy(expected)
            )
        });
    }

    /// No reply: `error` says why.
    pub fn record_missing(&mut self, error: String) {
        self.missing += 1;
        self.problem.get_or_insert(error);
    }

    fn missing(&mut self, error: &io::Error) {
        // Linux reports a receive timeout as WouldBlock.
        if matches!(
            error.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ) {
            self.timed_out += 1;
        }
        self.record_missing(format!("no reply: {error}"));
    }

    /// Sorts the latencies, for [`Outcome::percentile`].
    pub fn sort(&mut self) {
        self.latencies.sort_unstable();
    }

    /// Adds a later round of the same load.
    pub fn add(&mut self, round: Outcome) {
        let elapsed = self.elapsed + round.elapsed;
        let window = self.window + round.window;
        self.merge(round);
        (self.elapsed, self.window) = (elapsed, window);
        self.sort();
    }

    fn merge(&mut self, other: Outcome) {
        self.ok += other.ok;
        self.wrong += other.wrong;
        self.missing += other.missing;
        self.timed_out += other.timed_out;
        self.in_window += other.in_window;
        self.latencies.extend(other.latencies);
        if self.problem.is_none() {
            self.problem = other.problem;
        }
    }

    /// Good exchanges per second.
    pub fn rate(&self) -> f64 {
        let (count, time) = if self.window.is_zero() {
            (self.ok, self.elapsed)
        } else {
            (self.in_window, self.window)
        };
        count as f64 / time.as_secs_f64().max(1e-9)
    }

    /// A good exchange that ended before `deadline`, and how long it took.
    fn record_by(&mut self, latency: Duration, deadline: Instant) {
        self.record(latency);
        if Instant::now() <= deadline {
            self.in_window += 1;
        }
    }

    /// The latency below which a share `p` of the good exchanges fall
    /// (nearest rank): 0.5 is the median, 0.99 the 99th percentile.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        let n = self.latencies.len();
        let rank = ((p * n as f64).ceil() as usize).clamp(1, n.max(1));
        self.latencies
            .get(rank - 1)
            .map(|&nanos| Duration::from_nanos(nanos))
    }

    /// The slowest good exchange.
    pub fn max(&self) -> Option<Duration> {
        self.latencies
            .last()
            .map(|&nanos| Duration::from_nanos(nanos))
    }

    /// Did anything go wrong?
    pub fn failures(&self) -> u64 {
        self.wrong + self.missing
    }
}

/// The request a client sends: lowercase, and unique, so that a late
/// reply to an earlier request is recognised as such.
pub fn sentence(client: usize, seq: u64) -> Vec<u8> {
    format!("client {client} request {seq}: {PANGRAM}").into_bytes()
}

/// Every lowercase letter once: all of them go through the transform.
const PANGRAM: &str = "the quick brown fox jumps over the lazy dog";

/// Runs `clients` client threads against the server at once, each in a
/// closed loop, and adds up what they saw.
pub fn run(
    protocol: Protocol,
    server: SocketAddr,
    clients: usize,
    limits: Limits,
) -> Outcome {
    // All threads start together, after they are all created.
    let barrier = Arc::new(Barrier::new(clients + 1));
    let workers: Vec<_> = (0..clients)
        .map(|client| {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                // 1 ms apart: four connection requests in the same
                // microseconds would overflow the queue of listen(1) at
                // every start, a burst no steady load has.
                thread::sleep(Duration::from_millis(client as u64));
                match protocol {
                    Protocol::Udp => udp_client(client, server, limits),
                    Protocol::Tcp => tcp_client(client, server, limits),
                }
            })
        })
        .collect();
    barrier.wait();
    let started = Instant::now();
    let mut total = Outcome::default();
    for worker in workers {
        match worker.join() {
            Ok(outcome) => total.merge(outcome),
            Err(_) => {
                total.missing += 1;
                total.problem = Some("a client thread panicked".into());
            }
        }
    }
    total.elapsed = started.elapsed();
    // A load bounded by its count may end before its time is up.
    total.window = limits.time.min(total.elapsed);
    total.sort();
    total
}

/// A reply to an earlier request of this client that came after we had
/// given up on it. Such a reply was counted missing already; it must not
/// be counted wrong for the request now waiting.
fn is_late(reply: &[u8], client: usize, seq: u64) -> bool {
    let prefix = format!("CLIENT {client} REQUEST ");
    let Some(rest) = reply.strip_prefix(prefix.as_bytes()) else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let earlier = std::str::from_utf8(&rest[..digits])
        .ok()
        .and_then(|text| text.parse::<u64>().ok());
    earlier.is_some_and(|earlier| {
        earlier < seq && reply == sentence(client, earlier).to_ascii_uppercase()
    })
}

/// One UDP client: send a datagram, wait (at most `timeout`) for the
/// reply, check it.
fn udp_client(client: usize, server: SocketAddr, limits: Limits) -> Outcome {
    let mut outcome = Outcome::default();
    // A connected UDP socket: send() needs no address, and only datagrams
    // from the server are received.
    let socket = UdpSocket::bind("127.0.0.1:0").and_then(|socket| {
        socket.connect(server)?;
        // Without it, one lost datagram would stop this client for good.
        socket.set_read_timeout(Some(limits.timeout))?;
        Ok(socket)
    });
    let socket = match socket {
        Ok(socket) => socket,
        Err(error) => {
            outcome.missing(&error);
            return outcome;
        }
    };
    let mut reply = [0; 4096];
    let deadline = Instant::now() + limits.time;
    for seq in 0..limits.count {
        if Instant::now() >= deadline {
            break;
        }
        let request = sentence(client, seq);
        let expected = request.to_ascii_uppercase();
        let sent = Instant::now();
        if let Err(error) = socket.send(&request) {
            outcome.missing(&error);
            continue;
        }
        // Receive until this request's reply, skipping (a few) late ones.
        let mut late = 0;
        loop {
            match socket.recv(&mut reply) {
                Ok(n) if reply[..n] == expected[..] => {
                    outcome.record_by(sent.elapsed(), deadline);
                }
                Ok(n) if late < 8 && is_late(&reply[..n], client, seq) => {
                    late += 1;
                    continue;
                }
                Ok(n) => outcome.record_wrong(&reply[..n], &expected),
                Err(error) => outcome.missing(&error),
            }
            break;
        }
    }
    outcome
}

/// One TCP client: a new connection for every request, as the lecture's
/// client does.
fn tcp_client(client: usize, server: SocketAddr, limits: Limits) -> Outcome {
    let mut outcome = Outcome::default();
    let deadline = Instant::now() + limits.time;
    for seq in 0..limits.count {
        if Instant::now() >= deadline {
            break;
        }
        let request = sentence(client, seq);
        let expected = request.to_ascii_uppercase();
        let sent = Instant::now();
        match exchange(server, &request, limits.timeout) {
            Ok(reply) if reply == expected => {
                outcome.record_by(sent.elapsed(), deadline);
            }
            Ok(reply) => outcome.record_wrong(&reply, &expected),
            Err(error) => outcome.missing(&error),
        }
    }
    outcome
}

/// connect, send, half-close, read the reply until the server closes,
/// close: all within `timeout`. The half-close (our FIN) says the request
/// is complete, as tcp-client does it: a server then knows that nothing
/// more will come, and can close as soon as it has replied.
pub fn exchange(
    server: SocketAddr,
    request: &[u8],
    timeout: Duration,
) -> io::Result<Vec<u8>> {
    let deadline = Instant::now() + timeout;
    let mut stream = TcpStream::connect_timeout(&server, timeout)?;
    let left = deadline
        .checked_duration_since(Instant::now())
        .filter(|left| !left.is_zero())
        .ok_or(io::ErrorKind::TimedOut)?;
    stream.set_read_timeout(Some(left))?;
    stream.set_write_timeout(Some(left))?;
    stream.write_all(request)?;
    stream.shutdown(Shutdown::Write)?;
    let mut reply = Vec::with_capacity(128);
    // The server closes after its reply; 64 KiB bounds a runaway one.
    stream.take(65_536).read_to_end(&mut reply)?;
    Ok(reply)
}

/// How a fast client fares while `idle` other clients hold connections
/// open without sending anything. Returns how many idle connections were
/// made, and the fast client's exchanges (at most `count`; it stops at
/// the first that gets no reply within `timeout`).
pub fn with_idle_clients(
    server: SocketAddr,
    idle: usize,
    count: u64,
    timeout: Duration,
) -> (usize, Outcome) {
    // One every 10 ms, as people would come, not all in the same 100 µs:
    // a burst can fill the queue of listen(1) even when the server
    // accepts at once. A connection whose handshake the server's system
    // does not complete (the queue is full) is left out.
    let holders: Vec<TcpStream> = (0..idle)
        .filter_map(|_| {
            thread::sleep(Duration::from_millis(10));
            TcpStream::connect_timeout(&server, Duration::from_millis(200)).ok()
        })
        .collect();
    // Give the server time to accept the first and start reading from it.
    thread::sleep(Duration::from_millis(100));
    let mut outcome = Outcome::default();
    let started = Instant::now();
    for seq in 0..count {
        let request = sentence(99, seq);
        let expected = request.to_ascii_uppercase();
        let sent = Instant::now();
        match exchange(server, &request, timeout) {
            Ok(reply) if reply == expected => outcome.record(sent.elapsed()),
            Ok(reply) => outcome.record_wrong(&reply, &expected),
            Err(error) => {
                outcome.missing(&error);
                break;
            }
        }
    }
    outcome.elapsed = started.elapsed();
    outcome.sort();
    (holders.len(), outcome)
}
