//! Deadlines from caller-given time-outs. A time-out is caller input, so it
//! may be anything up to `Duration::MAX`: one too large for the clock means
//! "no deadline", never a panic.

use std::time::{Duration, Instant};

/// The longest single wait on a condition variable; waits are loops that
/// re-check their condition, so this only bounds one sleep.
pub(super) const MAX_WAIT: Duration = Duration::from_secs(1);

/// The instant `timeout` from now, or `None` when it is too far away for
/// the clock to represent (treated as no deadline).
pub(super) fn after(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}

/// Time left until `deadline` (`None`: unbounded; zero: passed).
pub(super) fn left(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|d| d.saturating_duration_since(Instant::now()))
}

/// True when `deadline` exists and has passed.
pub(super) fn passed(deadline: Option<Instant>) -> bool {
    left(deadline).is_some_and(|l| l.is_zero())
}

/// How long one wait may sleep before re-checking: until the deadline, at
/// most [`MAX_WAIT`].
pub(super) fn wait_slice(deadline: Option<Instant>) -> Duration {
    left(deadline).map_or(MAX_WAIT, |l| l.min(MAX_WAIT))
}

/// The earlier of two deadlines, `None` being the latest of all.
pub(super) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_past_the_clock_is_no_deadline() {
        assert_eq!(after(Duration::MAX), None);
        assert_eq!(after(Duration::from_secs(u64::MAX)), None);
        assert_eq!(left(None), None);
        assert!(!passed(None));
        assert_eq!(wait_slice(None), MAX_WAIT);
        assert!(passed(after(Duration::ZERO)));
        let soon = after(Duration::from_secs(1));
        assert_eq!(earliest(soon, None), soon);
        assert_eq!(earliest(None, soon), soon);
    }
}
