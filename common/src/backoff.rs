use std::time::Duration;

/// How long to pause after a failure that passes by itself, such as an
/// `accept` with no descriptor free: 5 ms, doubling up to 1 s, and back to
/// 5 ms after a success. Retrying at once would spin a CPU and flood the
/// log while nothing can change; Go's `net/http` server pauses the same way
/// after a temporary accept error.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: u64,
}

impl Backoff {
    /// The first pause.
    pub const FIRST: Duration = Duration::from_millis(5);
    /// The longest pause.
    pub const LONGEST: Duration = Duration::from_secs(1);

    /// Counts one more failure in a row, and returns how long to pause
    /// before trying again.
    pub fn failed(&mut self) -> Duration {
        self.failures += 1;
        let doublings = (self.failures - 1).min(10) as u32;
        (Self::FIRST * 2u32.pow(doublings)).min(Self::LONGEST)
    }

    /// How many failures in a row so far: 1 starts an episode, the moment
    /// to say so once.
    pub fn failures(&self) -> u64 {
        self.failures
    }

    /// Counts a success. Returns how many failures it ends, if any, the
    /// moment to say that the trouble is over.
    pub fn succeeded(&mut self) -> Option<u64> {
        Some(std::mem::take(&mut self.failures)).filter(|&n| n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_from_5_ms_up_to_1_s() {
        let mut backoff = Backoff::default();
        let pauses: Vec<u64> = (0..10)
            .map(|_| backoff.failed().as_millis() as u64)
            .collect();
        assert_eq!(pauses, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        for _ in 0..100 {
            assert_eq!(backoff.failed(), Backoff::LONGEST);
        }
        assert_eq!(backoff.failures(), 110);
    }

    #[test]
    fn a_success_ends_the_episode_and_starts_again_at_5_ms() {
        let mut backoff = Backoff::default();
        assert_eq!(backoff.succeeded(), None);
        backoff.failed();
        backoff.failed();
        assert_eq!(backoff.succeeded(), Some(2));
        assert_eq!(backoff.succeeded(), None);
        assert_eq!(backoff.failures(), 0);
        assert_eq!(backoff.failed(), Backoff::FIRST);
        assert_eq!(backoff.failures(), 1);
    }
}
