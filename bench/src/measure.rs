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

/// The unique set size of process `pid` in bytes: its `Private_Clean` + `Private_Dirty`
/// from `/proc/PID/smaps_rollup`, the memory that would be freed if it exited (pages it
/// shares with another process, such as the program's code, are not counted).
///
/// # Errors
///
/// When the file cannot be read (no such process, not Linux) or lacks those lines.
pub(crate) fn uss_bytes(pid: u32) -> Result<u64, BenchError> {
    let path = format!("/proc/{pid}/smaps_rollup");
    let rollup = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut kib = 0;
    for key in ["Private_Clean:", "Private_Dirty:"] {
        let line =
            rollup.lines().find_map(|l| l.strip_prefix(key)).ok_or_else(|| format!("{path} has no {key} line"))?;
        kib += kib_value(line).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(kib * 1024)
}

/// The number in a `/proc` line's value such as `   1234 kB`.
fn kib_value(value: &str) -> Result<u64, BenchError> {
    let number = value.trim().strip_suffix("kB").ok_or_else(|| format!("unexpected value {value:?}"))?;
    Ok(number.trim().parse().map_err(|e| format!("unexpected value {value:?}: {e}"))?)
}

/// The processes descended from process `pid` (children, their children, ...), zombies
/// included, from the parent ids in `/proc/*/stat`.
///
/// # Errors
///
/// When `/proc` cannot be listed (not Linux).
pub(crate) fn descendants(pid: u32) -> Result<Vec<u32>, BenchError> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").map_err(|e| format!("cannot list /proc: {e}"))? {
        let Ok(entry) = entry else { continue };
        let Some(child) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        // A process may end between the listing and the read: it is then no one's child.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        if let Some(parent) = parent_in_stat(&stat) {
            parents.push((child, parent));
        }
    }
    let mut found = vec![pid];
    let mut i = 0;
    while i < found.len() {
        let here = found[i];
        found.extend(parents.iter().filter(|(_, parent)| *parent == here).map(|(child, _)| *child));
        i += 1;
    }
    found.remove(0);
    Ok(found)
}

/// Whether process `pid` has ended: it is gone from `/proc`, or a zombie (ended, not yet
/// reaped by its parent).
pub(crate) fn process_ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next()) == Some("Z"),
    }
}

/// The parent id in the text of `/proc/PID/stat`: the 2nd field after the command name,
/// which is in parentheses and may itself hold spaces and parentheses.
fn parent_in_stat(stat: &str) -> Option<u32> {
    let (_, after_name) = stat.rsplit_once(')')?;
    after_name.split_whitespace().nth(1)?.parse().ok()
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
    fn uss_of_this_process_is_readable_and_positive() {
        let uss = uss_bytes(std::process::id()).expect("this benchmark runs on Linux");
        assert!(uss > 0);
        assert_eq!(uss % 1024, 0);
    }

    #[test]
    fn a_child_is_a_descendant_until_it_is_reaped() {
        let mut child = std::process::Command::new("sleep").arg("10").spawn().expect("`sleep` runs");
        let found = descendants(std::process::id()).expect("/proc lists");
        let _ = child.kill();
        let _ = child.wait();
        assert!(found.contains(&child.id()), "{found:?}");
        assert!(!descendants(std::process::id()).expect("/proc lists").contains(&child.id()));
        assert!(process_ended(child.id()));
        assert!(!process_ended(std::process::id()));
    }

    #[test]
    fn the_parent_id_follows_the_command_name() {
        assert_eq!(parent_in_stat("42 (a) b (c)) S 7 42 42 0"), Some(7));
        assert_eq!(parent_in_stat("no parentheses"), None);
    }

    #[test]
    fn rss_is_readable_and_positive() {
        let rss = rss_bytes().expect("this benchmark runs on Linux");
        assert!(rss > 0);
        assert_eq!(rss % 1024, 0);
    }
}
