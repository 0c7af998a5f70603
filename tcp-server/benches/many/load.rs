//! The clients: back-to-back exchanges, idle connections, a slow client.
//! Every reply is checked byte for byte; every wait has a timeout.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

pub const SENTENCE: &[u8] = b"serving many clients";
pub const REPLY: &[u8] = b"SERVING MANY CLIENTS";

/// One lecture exchange: connect, send, read the reply until the server
/// closes, and check it. Its time, or why it failed.
pub fn exchange(
    address: SocketAddr,
    timeout: Duration,
) -> Result<Duration, String> {
    let start = Instant::now();
    let mut stream = TcpStream::connect_timeout(&address, timeout)
        .map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(SENTENCE)
        .map_err(|e| format!("send: {e}"))?;
    let mut reply = Vec::new();
    stream
        .read_to_end(&mut reply)
        .map_err(|e| format!("recv: {e}"))?;
    if reply != REPLY {
        return Err(format!(
            "wrong reply {:?}",
            String::from_utf8_lossy(&reply)
        ));
    }
    Ok(start.elapsed())
}

/// What a load of back-to-back clients achieved.
#[derive(Default, Clone)]
pub struct Load {
    pub ok: u64,
    pub failed: u64,
    pub first_error: Option<String>,
    /// Good replies per second of the run.
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// The longest exchange; one that failed counts as `timeout`.
    pub max: Duration,
}

/// `clients` threads, each making exchanges back to back for `time`
/// (at most `most` each), each exchange bounded by `timeout`.
pub fn load(
    address: SocketAddr,
    clients: usize,
    time: Duration,
    most: u64,
    timeout: Duration,
) -> Load {
    let start = Instant::now();
    let deadline = start + time;
    let results: Vec<(Vec<Duration>, u64, Option<String>)> =
        thread::scope(|scope| {
            let threads: Vec<_> = (0..clients)
                .map(|_| {
                    scope.spawn(move || {
                        let mut times = Vec::new();
                        let (mut failed, mut error) = (0, None);
                        let mut count = 0;
                        while Instant::now() < deadline && count < most {
                            count += 1;
                            match exchange(address, timeout) {
                                Ok(took) => times.push(took),
                                Err(e) => {
                                    failed += 1;
                                    error.get_or_insert(e);
                                }
                            }
                        }
                        (times, failed, error)
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().unwrap_or_default())
                .collect()
        });
    let elapsed = start.elapsed().as_secs_f64();
    let mut all: Vec<Duration> = Vec::new();
    let mut load = Load::default();
    for (times, failed, error) in results {
        all.extend(times);
        load.failed += failed;
        if load.first_error.is_none() {
            load.first_error = error;
        }
    }
    all.sort();
    load.ok = all.len() as u64;
    load.per_second = load.ok as f64 / elapsed.max(1e-9);
    load.p50 = percentile(&all, 50);
    load.p99 = percentile(&all, 99);
    let longest = all.last().copied().unwrap_or_default();
    load.max = if load.failed > 0 { timeout } else { longest };
    load
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let at = (sorted.len() * p).div_ceil(100).max(1) - 1;
    sorted[at.min(sorted.len() - 1)]
}

/// Opens up to `n` connections that send nothing, in batches of 50;
/// after each batch, `accepted(open)` waits (bounded) until the server has
/// taken them, so that the connects do not outrun its accepts and
/// overflow its queue. Stops at the first that cannot connect within
/// `timeout` (a server that does not accept fills its queue, and then the
/// kernel drops the SYNs). Dropping them closes them.
pub fn idle(
    address: SocketAddr,
    n: usize,
    timeout: Duration,
    accepted: impl Fn(usize),
) -> Vec<TcpStream> {
    let mut open = Vec::with_capacity(n);
    while open.len() < n {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(stream) => open.push(stream),
            Err(_) => break,
        }
        if open.len() % 50 == 0 {
            accepted(open.len());
        }
    }
    open
}

/// A slow client: connects, then sends a byte each `interval` (at most
/// three; the server answers after the first and closes). Meanwhile
/// another client, starting a tenth of an interval later, makes `fast`
/// exchanges back to back. Returns the other client's longest wait, or
/// `None` if one of its exchanges failed (timed out).
pub fn slow(
    address: SocketAddr,
    interval: Duration,
    fast: usize,
    timeout: Duration,
) -> Result<Option<Duration>, String> {
    let mut slow = TcpStream::connect_timeout(&address, timeout)
        .map_err(|e| format!("slow client: {e}"))?;
    let done = AtomicBool::new(false);
    let longest = thread::scope(|scope| {
        scope.spawn(|| {
            for byte in b"sl" {
                if done.load(Ordering::Relaxed) {
                    break;
                }
                thread::sleep(interval);
                if slow.write_all(&[*byte]).is_err() {
                    break;
                }
            }
        });
        thread::sleep(interval / 10);
        let mut longest = Some(Duration::ZERO);
        for _ in 0..fast {
            match exchange(address, timeout) {
                Ok(took) => longest = longest.map(|l| l.max(took)),
                Err(_) => longest = None,
            }
        }
        done.store(true, Ordering::Relaxed);
        longest
    });
    Ok(longest)
}
