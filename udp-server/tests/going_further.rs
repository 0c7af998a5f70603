//! Going further than the listing: `--drop-rate P` makes the server ignore
//! that share of the datagrams, as a lossy network would, and `--seed N`
//! makes it lose the same ones on every run. By default nothing is lost.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use support::{DEADLINE, Server, run_client};

/// How long to wait for a reply before taking the datagram as dropped. On
/// loopback a reply takes well under a millisecond; one that comes later
/// still counts (see [`answered`]).
const WAIT: Duration = Duration::from_millis(100);

/// Sends `count` numbered datagrams (`datagram 0`, `datagram 1`, ...) to
/// the server, `batch` at a time, and returns which got their reply.
///
/// With `batch` 1, datagram `i` is the `i`th the server receives. Replies
/// are matched by their number, so one that comes after its wait is still
/// counted as answered.
fn answered(server: SocketAddr, count: usize, batch: usize) -> Vec<bool> {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    // Only the server's datagrams are received, and send needs no address.
    socket.connect(server).unwrap();
    socket.set_read_timeout(Some(WAIT)).unwrap();
    let deadline = Instant::now() + DEADLINE;
    let mut answered = vec![false; count];
    for start in (0..count).step_by(batch) {
        let end = (start + batch).min(count);
        for i in start..end {
            socket.send(format!("datagram {i}").as_bytes()).unwrap();
        }
        // Until every reply of this batch is in, or none came for WAIT.
        while !answered[start..end].iter().all(|a| *a) {
            assert!(Instant::now() < deadline, "too slow");
            match receive(&socket) {
                Some(i) => answered[i] = true,
                None => break,
            }
        }
    }
    // Replies that came late.
    while let Some(i) = receive(&socket) {
        assert!(Instant::now() < deadline, "too slow");
        answered[i] = true;
    }
    answered
}

/// The number of the next reply, checked byte for byte; None if no reply
/// came within [`WAIT`].
fn receive(socket: &UdpSocket) -> Option<usize> {
    let mut buffer = [0; 64];
    let length = match socket.recv(&mut buffer) {
        Ok(length) => length,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            return None;
        }
        Err(e) => panic!("recv failed: {e}"),
    };
    let reply = &buffer[..length];
    let i: usize = std::str::from_utf8(reply)
        .ok()
        .and_then(|text| text.strip_prefix("DATAGRAM "))
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("unexpected reply {reply:?}"));
    assert_eq!(reply, format!("DATAGRAM {i}").as_bytes());
    Some(i)
}

/// The numbers of the datagrams that got no reply.
fn dropped(answered: &[bool]) -> Vec<usize> {
    (0..answered.len()).filter(|&i| !answered[i]).collect()
}

/// Runs a fresh server with `args`, sends it `count` datagrams one at a
/// time, and returns the numbers of those it dropped.
fn dropped_by_a_fresh_server(args: &[&str], count: usize) -> Vec<usize> {
    let server = Server::rust("udp-server", args, &[]);
    dropped(&answered(server.address, count, 1))
}

#[test]
fn the_same_seed_drops_the_same_datagrams() {
    // Two servers with one seed and one with another, side by side (the
    // test mostly waits for replies that do not come).
    let runs = ["42", "42", "7"].map(|seed| {
        thread::spawn(move || {
            let args = ["--drop-rate", "0.3", "--seed", seed];
            dropped_by_a_fresh_server(&args, 50)
        })
    });
    let [first, second, other] = runs.map(|run| run.join().unwrap());
    assert_eq!(first, second);
    // Some lost, not all: about 15 of 50.
    assert!((5..=25).contains(&first.len()), "dropped {first:?}");
    // Another seed loses others.
    assert_ne!(first, other);
}

#[test]
fn the_share_dropped_is_near_the_rate_and_each_drop_is_logged() {
    // A seed, so that the test cannot fail by bad luck (unseeded, a share
    // outside 0.2..0.4 would come about once in 8,000 runs).
    let mut server = Server::rust(
        "udp-server",
        &["--drop-rate", "0.3", "--seed", "1"],
        &[("RUST_LOG", "debug")],
    );
    let answered = answered(server.address, 300, 25);
    let dropped = dropped(&answered).len();
    assert!((60..=120).contains(&dropped), "dropped {dropped} of 300");

    let line = server.wait_for_log("dropping a share of 0.3");
    assert!(
        line.ends_with(
            " INFO dropping a share of 0.3 of the datagrams (seed 1)\n"
        ),
        "{line:?}"
    );
    let log = server.log_so_far();
    let logged = log.matches(": datagram dropped (--drop-rate)\n").count();
    assert_eq!(logged, dropped, "{log}");
}

#[test]
fn by_default_and_at_0_nothing_is_dropped() {
    for args in [&[][..], &["--drop-rate", "0"]] {
        let mut server =
            Server::rust("udp-server", args, &[("RUST_LOG", "debug")]);
        let answered = answered(server.address, 50, 1);
        assert_eq!(dropped(&answered), Vec::<usize>::new(), "{args:?}");
        let log = server.log_so_far();
        assert!(!log.contains("dropp"), "{args:?}: {log}");
    }
}

#[test]
fn at_1_every_datagram_is_dropped() {
    let mut server = Server::rust("udp-server", &["--drop-rate", "1"], &[]);
    let answered = answered(server.address, 10, 10);
    assert_eq!(dropped(&answered), (0..10).collect::<Vec<_>>());

    // Without --seed the seed comes from the clock, and is logged so that
    // the run can be repeated.
    let line = server.wait_for_log("dropping a share of 1.0 ");
    let seed = line
        .split("(seed ")
        .nth(1)
        .and_then(|rest| rest.strip_suffix(")\n"))
        .map(str::parse::<u64>);
    assert!(matches!(seed, Some(Ok(_))), "{line:?}");
}

#[test]
fn a_drop_rate_outside_0_to_1_is_refused_with_exit_2() {
    for rate in ["-0.1", "1.5", "NaN", "inf", "30%", "lots"] {
        let output = run_client("udp-server", &["--drop-rate", rate], &[], b"");
        assert_eq!(output.status.code(), Some(2), "{rate}: {output:?}");
        assert!(
            output.stderr.starts_with(&format!(
                "error: invalid value '{rate}' for '--drop-rate <P>': "
            )),
            "{}",
            output.stderr
        );
        assert_eq!(output.stdout, b"");
    }
    let output = run_client("udp-server", &["--seed", "-1"], &[], b"");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn a_tiny_drop_rate_is_logged_short() {
    let mut server =
        Server::rust("udp-server", &["--drop-rate", "1e-320"], &[]);
    let line = server.wait_for_log("dropping a share of ");
    assert!(
        line.contains(" INFO dropping a share of 1e-320 of the datagrams"),
        "{line:?}"
    );
}
