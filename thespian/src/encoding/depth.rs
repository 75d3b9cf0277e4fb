//! The one bound on recursion for every recursive value the wire reads or writes.
//!
//! Each kind of recursive value ([`Recursive`]) has a counter per thread and a limit. Its
//! `Serialize` and `Deserialize` enter a [`Level`] before going one level deeper, and refuse
//! past the limit, so the stack a value of any shape needs is bounded whatever a peer sends
//! (and whatever a program builds: what cannot be decoded is not encoded either).
//!
//! A refusal deep inside a value reaches the outermost decoder only as a serde "custom
//! error", which `postcard` reports without its text; the innermost reason is therefore
//! also kept here ([`record_failure`]) for the outermost level to report.

use std::cell::{Cell, RefCell};

/// How deep messages may nest inside each other, read or written: public as
/// `thespian::wire::nested::MAX_NESTING`, which is checked to equal it when the crate builds.
pub(crate) const MAX_NESTING: u32 = 32;

/// How deep capability lists and maps may nest, read or written: public as
/// [`CapValue::MAX_DEPTH`](crate::CapValue::MAX_DEPTH), which is checked to equal it when the
/// crate builds.
pub(crate) const MAX_CAP_VALUE_DEPTH: u32 = 64;

/// A kind of value that may contain values of its own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recursive {
    /// A message nested in another (`serde(with = "nested")`).
    Message,
    /// A [`CapValue`](crate::CapValue) list or map.
    CapValue,
}

impl Recursive {
    /// How many levels deep values of this kind may go.
    const fn max(self) -> u32 {
        match self {
            Self::Message => MAX_NESTING,
            Self::CapValue => MAX_CAP_VALUE_DEPTH,
        }
    }

    /// The values, for an error's text.
    const fn what(self) -> &'static str {
        match self {
            Self::Message => "messages",
            Self::CapValue => "capability values",
        }
    }

    const fn index(self) -> usize {
        match self {
            Self::Message => 0,
            Self::CapValue => 1,
        }
    }
}

thread_local! {
    /// How deep this thread is in each kind of value, indexed by [`Recursive::index`].
    static DEPTHS: [Cell<u32>; 2] = const { [Cell::new(0), Cell::new(0)] };
    /// The innermost failure of the encode or decode in progress on this thread.
    static FAILURE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// One level of a recursive value entered on this thread. Leaving it, also by a panic in a
/// nested `Deserialize`, restores the depth, so a caught panic cannot use up the limit.
#[derive(Debug)]
pub(crate) struct Level {
    kind: Recursive,
}

impl Level {
    /// Enters one level of `kind`.
    ///
    /// # Errors
    ///
    /// Past the limit of `kind`: the reason ("capability values nested more than 64 deep"),
    /// also recorded with [`record_failure`]. The level is left again at once.
    pub(crate) fn enter(kind: Recursive) -> Result<Self, String> {
        let depth = DEPTHS.with(|d| {
            let cell = &d[kind.index()];
            cell.set(cell.get().saturating_add(1));
            cell.get()
        });
        let level = Self { kind };
        if depth > kind.max() {
            drop(level);
            let reason = format!("{} nested more than {} deep", kind.what(), kind.max());
            record_failure(reason.clone());
            return Err(reason);
        }
        Ok(level)
    }
}

impl Drop for Level {
    fn drop(&mut self) {
        DEPTHS.with(|d| {
            let cell = &d[self.kind.index()];
            cell.set(cell.get().saturating_sub(1));
        });
    }
}

/// How many levels of `kind` this thread is inside.
pub(crate) fn current(kind: Recursive) -> u32 {
    DEPTHS.with(|d| d[kind.index()].get())
}

/// Keeps `reason` as the failure of the encode or decode in progress, unless a failure
/// deeper inside was kept already (the innermost one says what actually went wrong).
pub(crate) fn record_failure(reason: String) {
    FAILURE.with(|f| {
        f.borrow_mut().get_or_insert(reason);
    });
}

/// The failure kept since the last call, if any.
pub(crate) fn take_failure() -> Option<String> {
    FAILURE.with(|f| f.borrow_mut().take())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_3_wire_depth_levels_are_counted_per_kind_and_restored() {
        let _ = take_failure();
        let max = Recursive::CapValue.max();
        let levels: Vec<Level> =
            (0..max).map(|_| Level::enter(Recursive::CapValue)).collect::<Result<_, _>>().unwrap_or_default();
        assert_eq!(levels.len() as u32, max);
        assert_eq!(current(Recursive::Message), 0, "kinds are counted apart");
        let refused = Level::enter(Recursive::CapValue).err().unwrap_or_default();
        assert_eq!(refused, format!("capability values nested more than {max} deep"));
        assert_eq!(current(Recursive::CapValue), max, "a refused level is left at once");
        assert_eq!(take_failure().as_deref(), Some(refused.as_str()));
        drop(levels);
        assert_eq!(current(Recursive::CapValue), 0);
    }

    #[test]
    fn design_3_wire_innermost_failure_is_kept() {
        let _ = take_failure();
        record_failure("inner".to_string());
        record_failure("outer".to_string());
        assert_eq!(take_failure().as_deref(), Some("inner"));
        assert_eq!(take_failure(), None);
    }
}
