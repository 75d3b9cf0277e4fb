//! Measuring helpers: percentiles, resident memory, the cost of reading the clock.

use std::time::Instant;

use crate::BenchError;

/// The `p`-th quantile (`0.0..=1.0`) of `sorted` by the nearest-rank method.
///
/// # Panics
///
/// Never: an empty slice gives 0.
pub(crate) fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    // Nearest rank: the smallest value with at least p·n values at or below it.
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The process's resident set size in bytes, from `VmRSS` in `/proc/self/status`.
///
/// The kernel counts whole pages (4 KiB here) and reports kibibytes, so a difference of
/// two readings has a resolution of one page.
///
/// # Errors
///
/// When `/proc/self/status` cannot be read or has no `VmRSS` line (not Linux).
pub(crate) fn rss_bytes() -> Result<u64, BenchError> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status (the memory figure needs Linux): {e}"))?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).ok_or("/proc/self/status has no VmRSS line")?;
    let kib: u64 = line
        .trim()
        .strip_suffix("kB")
        .ok_or_else(|| format!("unexpected VmRSS line: {line:?}"))?
        .trim()
        .parse()
        .map_err(|e| format!("unexpected VmRSS line {line:?}: {e}"))?;
    Ok(kib * 1024)
}

/// The median cost in nanoseconds of two back-to-back `Instant::now()` calls and the
/// subtraction between them: what per-call timing adds to each sample.
pub(crate) fn clock_overhead_ns(samples: usize) -> u64 {
    let mut costs: Vec<u64> = (0..samples.max(1))
        .map(|_| {
            let start = Instant::now();
            nanos(start.elapsed())
        })
        .collect();
    costs.sort_unstable();
    percentile(&costs, 0.5)
}

/// A duration in whole nanoseconds, saturating (a u64 holds 584 years).
pub(crate) fn nanos(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), 50);
        assert_eq!(percentile(&v, 0.99), 99);
        assert_eq!(percentile(&v, 1.0), 100);
        assert_eq!(percentile(&[7], 0.99), 7);
        assert_eq!(percentile(&[], 0.5), 0);
    }

    #[test]
    fn rss_is_readable_and_positive() {
        let rss = rss_bytes().expect("this benchmark runs on Linux");
        assert!(rss > 0);
        assert_eq!(rss % 1024, 0);
    }
}
