use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A connection socket whose every read and write ends by one deadline.
///
/// A time limit on the socket alone (`SO_RCVTIMEO`, `SO_SNDTIMEO`) bounds
/// each call, not the exchange: a peer that sends one byte a second would
/// start the wait again with every byte. So before each call the limit is
/// made no longer than the time left, and many slow calls cannot add up
/// to more.
///
/// Setting a limit is a system call of its own, so `Bounded` remembers the
/// limit the socket has, and sets it only when that one could run past the
/// deadline. A socket that has a short limit already (a server's
/// connection socket gets its welcoming socket's, on Linux) is read
/// without one more call; such a read can then give up before the
/// deadline, when its own limit runs out.
///
/// The system counts these limits in clock ticks (1 to 10 ms), so no wait
/// ends more exactly than that: a limit that runs at most [`Bounded::SLACK`]
/// past the deadline is kept.
///
/// Both TCP programs use it: `tcp-client` for its whole exchange,
/// `tcp-server` for each connection.
pub struct Bounded<'a> {
    socket: &'a TcpStream,
    deadline: Instant,
    /// The limits on the socket now, if known.
    read_limit: Option<Duration>,
    write_limit: Option<Duration>,
}

impl<'a> Bounded<'a> {
    /// How far past the deadline a limit may run and still be kept.
    pub const SLACK: Duration = Duration::from_millis(10);

    /// `socket`, every call of which must end by `deadline`. Its limits
    /// are not known: the first read and the first write set them.
    pub fn new(socket: &'a TcpStream, deadline: Instant) -> Self {
        Bounded {
            socket,
            deadline,
            read_limit: None,
            write_limit: None,
        }
    }

    /// `socket`, which already gives up every read after `limit`: a read
    /// that cannot pass the deadline with it is made as it is.
    pub fn with_read_limit(
        socket: &'a TcpStream,
        deadline: Instant,
        limit: Duration,
    ) -> Self {
        Bounded {
            read_limit: Some(limit),
            ..Bounded::new(socket, deadline)
        }
    }

    /// Moves the deadline (a sooner one for part of the exchange, or back).
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = deadline;
    }

    /// The time left before the deadline; `TimedOut` once it has passed.
    pub fn time_left(&self) -> io::Result<Duration> {
        match self.deadline.checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => Ok(left),
            _ => Err(ErrorKind::TimedOut.into()),
        }
    }
}

impl Read for Bounded<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let left = self.time_left()?;
        if self
            .read_limit
            .is_none_or(|limit| limit > left + Self::SLACK)
        {
            self.socket.set_read_timeout(Some(left))?;
            self.read_limit = Some(left);
        }
        (&mut &*self.socket).read(buffer)
    }
}

impl Write for Bounded<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let left = self.time_left()?;
        if self
            .write_limit
            .is_none_or(|limit| limit > left + Self::SLACK)
        {
            self.socket.set_write_timeout(Some(left))?;
            self.write_limit = Some(left);
        }
        (&mut &*self.socket).write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A connected pair on loopback: (client, server side).
    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap());
        let (accepted, _) = listener.accept().unwrap();
        (client.unwrap(), accepted)
    }

    #[test]
    fn many_short_waits_end_by_the_deadline() {
        let (_peer, socket) = pair();
        let started = Instant::now();
        let deadline = started + Duration::from_millis(300);
        let mut bounded = Bounded::new(&socket, deadline);
        let mut buffer = [0; 8];
        let error = loop {
            if let Err(error) = bounded.read(&mut buffer) {
                if bounded.time_left().is_err() {
                    break error;
                }
            }
        };
        let waited = started.elapsed();
        assert!(
            matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
            "{error}"
        );
        assert!(waited >= Duration::from_millis(290), "{waited:?}");
        assert!(waited < Duration::from_secs(2), "{waited:?}");
    }

    #[test]
    fn a_limit_the_socket_has_is_kept_while_it_fits() {
        let (_peer, socket) = pair();
        let limit = Duration::from_millis(100);
        socket.set_read_timeout(Some(limit)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut bounded = Bounded::with_read_limit(&socket, deadline, limit);
        let started = Instant::now();
        let error = bounded.read(&mut [0; 8]).unwrap_err();
        let waited = started.elapsed();
        assert!(
            matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
            "{error}"
        );
        // The socket's own limit, not the time left before the deadline.
        assert!(waited < Duration::from_secs(2), "{waited:?}");
        assert_eq!(socket.read_timeout().unwrap(), Some(limit));
    }

    #[test]
    fn a_limit_past_the_deadline_is_cut_to_the_time_left() {
        let (_peer, socket) = pair();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let deadline = Instant::now() + Duration::from_millis(200);
        let mut bounded = Bounded::with_read_limit(
            &socket,
            deadline,
            Duration::from_secs(10),
        );
        let started = Instant::now();
        assert!(bounded.read(&mut [0; 8]).is_err());
        let waited = started.elapsed();
        assert!(waited < Duration::from_secs(2), "{waited:?}");
        let limit = socket.read_timeout().unwrap().unwrap();
        assert!(limit <= Duration::from_millis(200), "{limit:?}");
    }

    #[test]
    fn no_call_once_the_deadline_has_passed() {
        let (_peer, socket) = pair();
        let mut bounded = Bounded::new(&socket, Instant::now());
        let error = bounded.write(b"late").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::TimedOut);
        let error = bounded.read(&mut [0; 8]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::TimedOut);
    }
}
