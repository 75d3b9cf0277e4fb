//! The results table: figures, their units and targets, and the Markdown rendering.

use std::fmt::Write as _;

/// The unit a figure's value (and its target) is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Nanoseconds per operation.
    Nanos,
    /// Microseconds per operation.
    Micros,
    /// Milliseconds per operation.
    Millis,
    /// Messages per second.
    MsgsPerSec,
    /// Bytes.
    Bytes,
    /// A relative difference, in percent.
    Percent,
    /// Jobs per second (a job: a message and its answer, however many messages lie between).
    JobsPerSec,
    /// A ratio of two figures of the same unit.
    Ratio,
}

impl Unit {
    /// `value` written in this unit, e.g. `412 ns`, `1.27 µs`, `4.81 M msgs/s`, `171 B`,
    /// `9 312 jobs/s`, `8.76 ×`.
    pub(crate) fn format(self, value: f64) -> String {
        match self {
            Self::Nanos => format!("{} ns", group_thousands(value.round())),
            Self::Micros => format!("{value:.2} µs"),
            Self::Millis => format!("{value:.2} ms"),
            Self::MsgsPerSec => format!("{:.2} M msgs/s", value / 1e6),
            Self::Bytes if value >= 1024.0 && value % 1024.0 == 0.0 => format!("{} KiB", value / 1024.0),
            Self::Bytes if value >= 1024.0 => format!("{:.2} KiB", value / 1024.0),
            Self::Bytes => format!("{} B", value.round()),
            Self::Percent => format!("{value:.1} %"),
            Self::JobsPerSec => format!("{} jobs/s", group_thousands(value.round())),
            Self::Ratio => format!("{value:.2} ×"),
        }
    }
}

/// What a figure must reach to meet its target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Target {
    /// No target: the figure is reported for information.
    None,
    /// The value must be at most this (a cost: time, memory).
    AtMost(f64),
    /// The value must be at least this (a rate).
    AtLeast(f64),
}

/// One row of the table.
#[derive(Debug, Clone)]
pub(crate) struct Figure {
    /// What is measured, e.g. "ask round trip, median".
    pub(crate) name: String,
    /// The measured value, in `unit`.
    pub(crate) value: f64,
    /// The unit of `value` and of the target.
    pub(crate) unit: Unit,
    /// The target for this figure on this base.
    pub(crate) target: Target,
    /// Extra context shown after the value (sample count, raw totals, resolution).
    pub(crate) detail: Option<String>,
    /// Why the target is missed, shown beside "no" when it is (never when it is met).
    pub(crate) why_missed: Option<String>,
}

impl Figure {
    /// A figure without a target or detail.
    pub(crate) fn new(name: impl Into<String>, value: f64, unit: Unit) -> Self {
        Self { name: name.into(), value, unit, target: Target::None, detail: None, why_missed: None }
    }

    /// Sets the target.
    #[must_use]
    pub(crate) fn target(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    /// Sets the detail shown after the value.
    #[must_use]
    pub(crate) fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Sets the reason shown beside "no" if the target turns out missed.
    #[must_use]
    pub(crate) fn why_missed(mut self, reason: impl Into<String>) -> Self {
        self.why_missed = Some(reason.into());
        self
    }

    /// `Some(true)` if the target is met, `Some(false)` if missed, `None` without a target.
    pub(crate) fn met(&self) -> Option<bool> {
        match self.target {
            Target::None => None,
            Target::AtMost(limit) => Some(self.value <= limit),
            Target::AtLeast(limit) => Some(self.value >= limit),
        }
    }

    fn target_text(&self) -> String {
        match self.target {
            Target::None => "—".to_string(),
            Target::AtMost(limit) => format!("≤ {}", self.unit.format(limit)),
            Target::AtLeast(limit) => format!("≥ {}", self.unit.format(limit)),
        }
    }

    fn value_text(&self) -> String {
        let value = self.unit.format(self.value);
        match &self.detail {
            Some(detail) => format!("{value} ({detail})"),
            None => value,
        }
    }
}

/// The figures as a Markdown table with the columns figure, value, target, met?.
pub(crate) fn markdown_table(figures: &[Figure]) -> String {
    let mut out = String::from("| figure | value | target | met? |\n|---|---|---|---|\n");
    for f in figures {
        let met = match (f.met(), &f.why_missed) {
            (None, _) => "—".to_string(),
            (Some(true), _) => "yes".to_string(),
            (Some(false), None) => "**no**".to_string(),
            (Some(false), Some(why)) => format!("**no**: {why}"),
        };
        // Writing to a String cannot fail.
        let _ = writeln!(out, "| {} | {} | {} | {} |", f.name, f.value_text(), f.target_text(), met);
    }
    out
}

/// `n` (a whole number) with thin groups of three digits: `200 000`.
pub(crate) fn group_thousands(n: f64) -> String {
    let digits = format!("{:.0}", n.abs());
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    if n < 0.0 {
        grouped.insert(0, '-');
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_format_as_documented() {
        assert_eq!(Unit::Nanos.format(1234.4), "1 234 ns");
        assert_eq!(Unit::Micros.format(1.266), "1.27 µs");
        assert_eq!(Unit::Millis.format(12.345), "12.35 ms");
        assert_eq!(Unit::MsgsPerSec.format(4_812_345.0), "4.81 M msgs/s");
        assert_eq!(Unit::Bytes.format(2048.0), "2 KiB");
        assert_eq!(Unit::Bytes.format(171.4), "171 B");
        assert_eq!(Unit::Percent.format(-1.24), "-1.2 %");
        assert_eq!(Unit::JobsPerSec.format(9_311.6), "9 312 jobs/s");
        assert_eq!(Unit::Ratio.format(8.764), "8.76 ×");
    }

    #[test]
    fn targets_are_judged_in_the_right_direction() {
        let cost = Figure::new("cost", 3.0, Unit::Micros).target(Target::AtMost(2.0));
        let rate = Figure::new("rate", 6e6, Unit::MsgsPerSec).target(Target::AtLeast(5e6));
        assert_eq!(cost.met(), Some(false));
        assert_eq!(rate.met(), Some(true));
        assert_eq!(Figure::new("info", 1.0, Unit::Nanos).met(), None);
    }

    #[test]
    fn table_has_one_row_per_figure() {
        let table = markdown_table(&[
            Figure::new("a", 1.0, Unit::Nanos).target(Target::AtMost(1000.0)),
            Figure::new("b", 2.0, Unit::Bytes).detail("x"),
        ]);
        assert_eq!(table.lines().count(), 4);
        assert!(table.contains("| a | 1 ns | ≤ 1 000 ns | yes |"));
        assert!(table.contains("| b | 2 B (x) | — | — |"));
    }

    #[test]
    fn a_missed_target_shows_its_reason_and_a_met_one_does_not() {
        let missed = Figure::new("m", 3.0, Unit::Millis).target(Target::AtMost(2.0)).why_missed("slow");
        let met = Figure::new("k", 1.0, Unit::Millis).target(Target::AtMost(2.0)).why_missed("slow");
        let table = markdown_table(&[missed, met]);
        assert!(table.contains("| m | 3.00 ms | ≤ 2.00 ms | **no**: slow |"), "{table}");
        assert!(table.contains("| k | 1.00 ms | ≤ 2.00 ms | yes |"), "{table}");
    }
}
