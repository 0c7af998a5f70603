use std::fmt;
use std::time::{Duration, Instant};

/// At most one log line per second for one kind of event.
///
/// A server logs what goes wrong with a datagram, but anyone can send it
/// thousands of bad datagrams a second: one line each would flood the log
/// and fill the disk. A server keeps one `RateLimit` per kind of warning
/// and logs only when [`RateLimit::check`] says so; the line then tells how
/// many like it were held back since the last one.
#[derive(Debug)]
pub struct RateLimit {
    interval: Duration,
    /// When the next line may be logged; `None` until the first.
    next: Option<Instant>,
    held_back: u64,
}

impl RateLimit {
    /// One line per second.
    pub const fn per_second() -> Self {
        RateLimit::new(Duration::from_secs(1))
    }

    /// One line per `interval`.
    pub const fn new(interval: Duration) -> Self {
        RateLimit {
            interval,
            next: None,
            held_back: 0,
        }
    }

    /// Call once per event: `Some` if this one may be logged now, with the
    /// number of events held back before it; `None` if it must not be.
    pub fn check(&mut self) -> Option<HeldBack> {
        self.check_at(Instant::now())
    }

    /// [`RateLimit::check`] at a given time (for tests).
    pub fn check_at(&mut self, now: Instant) -> Option<HeldBack> {
        if self.next.is_some_and(|next| now < next) {
            self.held_back += 1;
            return None;
        }
        self.next = now.checked_add(self.interval);
        Some(HeldBack(std::mem::take(&mut self.held_back)))
    }
}

/// How many events like this one were not logged since the last line.
/// Shown at the end of a log line: nothing when there were none, else
/// ` (41 more like it not logged)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldBack(pub u64);

impl fmt::Display for HeldBack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => Ok(()),
            n => write!(f, " ({n} more like it not logged)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_second_with_the_count_of_the_rest() {
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let mut limit = RateLimit::per_second();
        assert_eq!(limit.check_at(at(0)), Some(HeldBack(0)));
        for ms in [1, 10, 500, 999] {
            assert_eq!(limit.check_at(at(ms)), None, "{ms} ms");
        }
        assert_eq!(limit.check_at(at(1000)), Some(HeldBack(4)));
        assert_eq!(limit.check_at(at(1500)), None);
        // After a quiet spell, the next event is logged at once.
        assert_eq!(limit.check_at(at(60_000)), Some(HeldBack(1)));
        assert_eq!(limit.check_at(at(61_000)), Some(HeldBack(0)));
    }

    #[test]
    fn the_count_reads_as_the_end_of_a_line() {
        assert_eq!(HeldBack(0).to_string(), "");
        assert_eq!(HeldBack(1).to_string(), " (1 more like it not logged)");
        assert_eq!(HeldBack(41).to_string(), " (41 more like it not logged)");
    }
}
