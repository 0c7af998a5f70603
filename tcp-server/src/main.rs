// ANCHOR: header
//! The TCP server of the lecture (`docs/python/tcp_server.py`), in Rust.
//!
//! It serves one connection at a time: accept it, read one sentence, send it
//! back in upper case, close it, and wait for the next. Start it first, then
//! the client in another terminal:
//!
//! ```text
//! cargo run -p tcp-server        # terminal 1
//! cargo run -p tcp-client        # terminal 2
//! ```
//!
//! Going further (not in the listing): `--concurrent` serves each
//! connection on its own thread, so one slow client no longer holds up the
//! others, at most `--max-connections` at once; `--read-timeout SECONDS`
//! closes a connection that sends nothing for that long.
//!
//! Not in the listing, so that no client can stop it: each exchange must
//! be done within `--timeout` (60 s), every connection is closed cleanly,
//! a failing `accept` is retried after a growing pause, and a closed
//! standard output or error does not end it.

use std::io::ErrorKind::{TimedOut, WouldBlock};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use common::{
    BACKLOG, Backoff, Bounded, Error, RateLimit, ServerAddress, TCP_BUFFER_SIZE,
};
use socket2::{Domain, SockRef, Socket, Type};
use tracing::{debug, info, warn};
// ANCHOR_END: header

// ANCHOR: args
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    address: ServerAddress,

    /// Bytes read from each connection; the rest is read and dropped
    #[arg(long, default_value_t = TCP_BUFFER_SIZE,
          value_parser = common::parse_buffer_size)]
    buffer_size: usize,

    /// The most one connection may take, from accept to close: waiting for
    /// the sentence, sending the reply, closing
    #[arg(long, value_name = "SECONDS", default_value = "60",
          value_parser = common::parse_seconds)]
    timeout: Duration,

    /// Serve each connection on its own thread, so that a slow client does
    /// not hold up the others
    #[arg(long)]
    concurrent: bool,

    /// With --concurrent, the most connections served at once (each takes
    /// a thread and a descriptor); more clients wait in the backlog
    #[arg(long, value_name = "N", default_value_t = 256,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,

    /// Close a connection that sends nothing for this long (default: the
    /// whole --timeout)
    #[arg(long, value_name = "SECONDS", value_parser = common::parse_seconds)]
    read_timeout: Option<Duration>,
}

/// How long each exchange may take.
#[derive(Clone, Copy)]
struct Limits {
    timeout: Duration,
    read_timeout: Option<Duration>,
}

impl Limits {
    /// How long the server waits for the sentence.
    fn sentence_wait(&self) -> Duration {
        self.read_timeout
            .map_or(self.timeout, |r| r.min(self.timeout))
    }

    /// The longest that one read on a connection socket waits: a second,
    /// or the sentence's whole wait if that is shorter.
    fn one_wait(&self) -> Duration {
        ONE_WAIT.min(self.sentence_wait())
    }

    /// Why a connection was closed when that wait ran out.
    fn no_sentence(&self) -> String {
        match self.read_timeout {
            Some(read_timeout) if read_timeout < self.timeout => format!(
                "nothing received for {} s (--read-timeout)",
                read_timeout.as_secs_f64()
            ),
            _ => format!(
                "no sentence within {} s (--timeout)",
                self.timeout.as_secs_f64()
            ),
        }
    }
}
// ANCHOR_END: args

// ANCHOR: bind
fn main() -> Result<(), Error> {
    let args = Args::parse();
    common::init_logging();

    // serverSocket = socket(AF_INET, SOCK_STREAM): the welcoming socket.
    // It never carries a sentence; it only waits for new connections.
    let address = args.address.resolve()?;
    let server_socket =
        Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    // Each connection we close waits about a minute in TIME_WAIT; without
    // SO_REUSEADDR a restarted server could not bind the port until then.
    // (Rust's TcpListener::bind sets it too; Python does not.)
    server_socket.set_reuse_address(true)?;

    // serverSocket.bind(('', serverPort))
    server_socket
        .bind(&address.into())
        .map_err(|e| Error::bind_tcp(address, e))?;

    // serverSocket.listen(1): from now on the system completes handshakes
    // for us. The backlog bounds the queue of connections that are
    // established but not yet accepted (Linux allows one more than asked);
    // it does not limit how many clients are served in all.
    server_socket.listen(BACKLOG)?;

    // Python waits without limit for each sentence: a client that sends
    // nothing would hold the server forever. Here each read on a connection
    // socket waits at most a second (see serve for why that is enough).
    // That limit is set once, here, on the welcoming socket: Linux copies
    // its SO_RCVTIMEO into every connection socket that accept returns, so
    // no connection pays a system call for it. It also makes accept itself
    // give up after a second without a client (see the loop).
    let limits = Limits {
        timeout: args.timeout,
        read_timeout: args.read_timeout,
    };
    server_socket.set_read_timeout(Some(limits.one_wait()))?;
    let server_socket = TcpListener::from(server_socket);
    info!("listening on {}", server_socket.local_addr()?);
    // print(...). With nobody reading standard output (`tcp-server | head
    // -c0`) the write fails; println! would end the server for it.
    if let Err(error) = writeln!(io::stdout(), "The server is ready to receive")
    {
        warn!("cannot print the ready line: {error}");
    }
    // ANCHOR_END: bind

    // ANCHOR: accept
    let slots = Slots::new(args.max_connections);
    let mut backoff = Backoff::default();
    let mut buffer = vec![0; args.buffer_size];
    loop {
        // --concurrent: wait for a free slot before accepting. At the
        // bound, new clients wait in the backlog, as with one at a time.
        let slot = args.concurrent.then(|| slots.take());

        // accept: take the next established connection off the queue. It
        // comes as a new socket, the connection socket, used only for this
        // client; the welcoming socket stays open for the next.
        let (connection_socket, address) = match server_socket.accept() {
            Ok(accepted) => accepted,
            // No client came within the welcoming socket's time limit:
            // nothing is wrong, wait again.
            Err(error) if timed_out(&error) => continue,
            // Most failures pass (no descriptor free until a connection
            // closes): retrying at once would spin a CPU and flood the
            // log, so pause longer each time, and say it once.
            Err(error) => {
                let pause = backoff.failed();
                if backoff.failures() == 1 {
                    warn!(
                        "accept failed: {error}; backing off (5 ms, doubling \
                         up to 1 s) until it works again"
                    );
                }
                thread::sleep(pause);
                continue;
            }
        };
        if let Some(failures) = backoff.succeeded() {
            info!("accept works again, after {failures} failed tries");
        }
        debug!("{address}: connection accepted");
        // ANCHOR_END: accept
        // ANCHOR: one_at_a_time
        if !args.concurrent {
            // One client at a time, as in the listing: the next is accepted
            // only when this one is done. serve waits in read until this
            // client sends, so a client that is slow to send (or never
            // does) holds up everyone behind it, up to --timeout: their
            // connections are established by the system, but wait in the
            // backlog queue, unaccepted and unread. A failure ends this
            // connection, never the server.
            if let Err(error) =
                serve(connection_socket, address, &mut buffer, limits)
            {
                warn_limited(&FAILED, || format!("{address}: {error}"));
            }
        // ANCHOR_END: one_at_a_time
        // ANCHOR: concurrent
        } else {
            // --concurrent: only the serving of this connection moves to a
            // new thread, with a buffer of its own, and the loop goes
            // straight back to accept. A slow client now holds up only its
            // own thread. The backlog of listen(1) still bounds only the
            // queue of connections not yet accepted; --max-connections
            // bounds those being served. (A burst of connections faster
            // than accept can still fill that queue: the system then
            // ignores the extra SYNs, and those clients retry a second
            // later.) Each connection costs a thread while it is open.
            let buffer_size = args.buffer_size;
            let spawned = thread::Builder::new().spawn(move || {
                let mut buffer = vec![0; buffer_size];
                if let Err(error) =
                    serve(connection_socket, address, &mut buffer, limits)
                {
                    warn_limited(&FAILED, || format!("{address}: {error}"));
                }
                // The slot is given back here, when the thread ends.
                drop(slot);
            });
            // thread::spawn would panic if the system refused a thread;
            // the Builder returns the error, which ends this connection
            // (its socket and slot went with the closure), not the server.
            if let Err(error) = spawned {
                warn!("{address}: no thread to serve it: {error}");
            }
        }
    }
}
// ANCHOR_END: concurrent

// ANCHOR: serve
/// One exchange on a connection socket, then its close, all within
/// `limits.timeout`.
fn serve(
    connection_socket: TcpStream,
    address: SocketAddr,
    buffer: &mut [u8],
    limits: Limits,
) -> io::Result<()> {
    // The whole exchange must be done by a deadline: a client that never
    // reads its reply, or never closes, cannot hold the server longer. The
    // sentence must come by an earlier one if --read-timeout says so.
    let accepted = Instant::now();
    let deadline = accepted + limits.timeout;
    // Linux copied the welcoming socket's limit of one second per read into
    // this socket; another system may not, so there it costs a call here.
    if !cfg!(any(target_os = "linux", target_os = "android")) {
        connection_socket.set_read_timeout(Some(limits.one_wait()))?;
    }
    // Every read and write goes through `connection`, which makes each
    // wait end by the deadline. It sets a time limit only when the
    // socket's own second could run past it: in the common case, never.
    let mut connection = Bounded::with_read_limit(
        &connection_socket,
        accepted + limits.sentence_wait(),
        limits.one_wait(),
    );

    // sentence = connectionSocket.recv(1024): one read, as in the listing.
    // It waits until something arrives, then returns what has arrived so
    // far, up to the buffer size; 0 means the client closed without sending
    // anything. Most clients have sent their sentence by the time we accept
    // them; one that is slow to send is waited for a second at a time,
    // until its time is up.
    let length = loop {
        match connection.read(buffer) {
            Ok(length) => break length,
            // A second without a byte, but the client has time left.
            Err(e) if timed_out(&e) && connection.time_left().is_ok() => {}
            // The time is up. Returning drops the socket, which closes the
            // connection.
            Err(e) if timed_out(&e) => {
                let why = limits.no_sentence();
                warn_limited(&SILENT, || {
                    format!("{address}: {why}: connection closed")
                });
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    };
    let sentence = &buffer[..length];
    debug!("{address}: received {length} bytes");
    if length == 0 {
        // The client has closed: nothing to answer, nothing left to read.
        return Ok(());
    }
    // ANCHOR_END: serve
    // ANCHOR: reply

    // capitalizedSentence = sentence.upper()
    let capitalized_sentence = common::to_upper(sentence);

    // connectionSocket.send(...), within the time left: a client that
    // never reads would otherwise hold us here once its window is full.
    connection.set_deadline(deadline);
    let reply = &capitalized_sentence;
    match send_reply(&connection_socket, &mut connection, reply) {
        Ok(()) => {}
        Err(e) if timed_out(&e) => {
            let timeout = limits.timeout.as_secs_f64();
            warn_limited(&NOT_READ, || {
                format!(
                    "{address}: reply not taken within {timeout} s \
                     (--timeout): the client does not read; connection \
                     closed"
                )
            });
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    debug!("{address}: sent {} bytes back", capitalized_sentence.len());

    // connectionSocket.close(): dropping the socket at the end of this
    // function closes it. A socket with no unread input closes with a FIN.
    // But input can still arrive after our one read (more than the buffer,
    // or a sentence sent in pieces), and closing a socket with unread
    // input, or one that input reaches later, makes the system reset the
    // connection (RST): the client may lose the reply. So first wait for
    // the client's close, one read of at most a second: a read that returns
    // 0 is the client's FIN, sent when it half-closes after its sentence
    // (as tcp-client does) or closes after reading its reply (as the
    // Python client does). Then nothing more can come, and we close at
    // once. A client that neither closes nor sends within that second gets
    // our close, a FIN, all the same. (The sentence is upper-cased into a
    // reply of its own by now, so its buffer takes what comes.)
    let dropped = match connection.read(buffer) {
        Ok(0) => return Ok(()),
        Err(e) if timed_out(&e) => return Ok(()),
        Ok(n) => n as u64,
        Err(e) => return Err(e),
    };
    // More input came. Send our FIN first (the reply is complete: a client
    // that reads until we close can now close too), then read and drop
    // whatever still comes until the client closes, for at most a second.
    connection_socket.shutdown(Shutdown::Write)?;
    connection.set_deadline(deadline.min(Instant::now() + ONE_WAIT));
    let dropped = dropped + discard_input(&mut connection, buffer)?;
    warn_limited(&CUT, || {
        format!(
            "{address}: input cut: read the first {length} bytes, dropped \
             {dropped} more"
        )
    });
    Ok(())
}
// ANCHOR_END: reply

// ANCHOR: send
/// Sends the whole reply by the connection's deadline. Most replies fit in
/// the socket's send buffer: the system copies them there at once and
/// sends them on its own. So first ask it to take what it can without
/// waiting; only what did not fit waits, for the client to read and make
/// room, with a time limit set for what is left of the deadline.
fn send_reply(
    socket: &TcpStream,
    connection: &mut Bounded,
    reply: &[u8],
) -> io::Result<()> {
    let sent = match send_now(socket, reply) {
        Ok(sent) => sent,
        Err(e) if e.kind() == WouldBlock => 0,
        Err(e) => return Err(e),
    };
    connection.write_all(&reply[sent..])
}

/// send with MSG_DONTWAIT: send what can be sent now, or fail with
/// WouldBlock, and never wait. Systems without the flag (Windows) get no
/// help: everything is sent the slow way.
#[cfg(unix)]
fn send_now(socket: &TcpStream, bytes: &[u8]) -> io::Result<usize> {
    SockRef::from(socket).send_with_flags(bytes, libc::MSG_DONTWAIT)
}

#[cfg(not(unix))]
fn send_now(_: &TcpStream, _: &[u8]) -> io::Result<usize> {
    Ok(0)
}
// ANCHOR_END: send

// ANCHOR: discard
/// The longest one read waits, and how long a client gets to close after
/// its reply.
const ONE_WAIT: Duration = Duration::from_secs(1);

/// Reads and drops what the client still sends, until it closes or the
/// time is up, `scratch` at a time. Returns how many bytes were dropped.
fn discard_input(
    connection: &mut impl Read,
    scratch: &mut [u8],
) -> io::Result<u64> {
    let mut dropped = 0;
    loop {
        match connection.read(scratch) {
            Ok(0) => return Ok(dropped),
            Ok(n) => dropped += n as u64,
            Err(e) if timed_out(&e) => return Ok(dropped),
            Err(e) => return Err(e),
        }
    }
}

/// A wait that ran out: Linux reports WouldBlock, Windows TimedOut.
fn timed_out(error: &io::Error) -> bool {
    matches!(error.kind(), WouldBlock | TimedOut)
}
// ANCHOR_END: discard

// ANCHOR: warnings
// Any client can make its connection fail on purpose (connect, then
// reset), thousands of times a second: a log line each would flood the
// log and fill the disk. So each kind of warning about a connection is
// logged at most once a second, with the count of those held back, as
// udp-server does. Every connection's thread shares them, hence the locks.
static FAILED: Mutex<RateLimit> = Mutex::new(RateLimit::per_second());
static SILENT: Mutex<RateLimit> = Mutex::new(RateLimit::per_second());
static NOT_READ: Mutex<RateLimit> = Mutex::new(RateLimit::per_second());
static CUT: Mutex<RateLimit> = Mutex::new(RateLimit::per_second());

/// Logs the warning that `line` makes, if its kind's `limit` allows one
/// now. (A thread that panicked while holding the lock left a valid
/// limit, so its poisoning is ignored.)
fn warn_limited(limit: &Mutex<RateLimit>, line: impl FnOnce() -> String) {
    let held_back =
        limit.lock().unwrap_or_else(PoisonError::into_inner).check();
    if let Some(held_back) = held_back {
        warn!("{}{held_back}", line());
    }
}
// ANCHOR_END: warnings

// ANCHOR: slots
/// The connections being served at once, at most `most`: a count, not a
/// pool of threads.
struct Slots {
    most: usize,
    taken: Arc<(Mutex<usize>, Condvar)>,
}

/// One connection's place in the count, given back when dropped.
struct Slot(Arc<(Mutex<usize>, Condvar)>);

impl Slots {
    fn new(most: u32) -> Self {
        let taken = Arc::new((Mutex::new(0), Condvar::new()));
        Slots {
            most: most as usize,
            taken,
        }
    }

    /// Waits until fewer than `most` connections are served, and takes a
    /// place.
    fn take(&self) -> Slot {
        let (count, freed) = &*self.taken;
        let mut count = lock(count);
        while *count >= self.most {
            count = freed.wait(count).unwrap_or_else(PoisonError::into_inner);
        }
        *count += 1;
        Slot(Arc::clone(&self.taken))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (count, freed) = &*self.0;
        *lock(count) -= 1;
        freed.notify_one();
    }
}

/// Locks the count. A thread that panicked while holding it left a valid
/// number, so its poisoning is ignored.
fn lock(count: &Mutex<usize>) -> MutexGuard<'_, usize> {
    count.lock().unwrap_or_else(PoisonError::into_inner)
}
// ANCHOR_END: slots
