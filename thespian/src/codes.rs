//! The error codes, one page each: what happened, an example that causes it, and the fix.
//!
//! Every failure a program can cause has a code, an [`ErrorCode`] such as `T0001`:
//! [`ActorSystemError::code`](crate::ActorSystemError::code) and
//! [`WireError::code`](crate::wire::WireError::code) return it, and the error's text starts
//! with it (`error[T0001]: InvalidActorAddress: ...`). Each constant here is one code; its
//! documentation is the code's page, the same text as the book's "Error codes" part, and its
//! examples are tested.
//!
//! This module is the bottom of the crate: it uses no other module of it, so that every
//! error, the wire's included, can have a code.
//!
//! Codes are assigned once and never change or get reused; a new kind of error gets the
//! next free number.
//!
//! # Examples
//!
//! ```
//! use thespian::prelude::*;
//!
//! # fn main() -> Result<(), ActorSystemError> {
//! let err = ActorSystem::builder().base("noSuchBase").build().expect_err("unknown base");
//! if err.code() == thespian::codes::T0007 {
//!     println!("see the book page {}", err.code().page()); // errors/T0007.html
//! }
//! # Ok(()) }
//! ```

/// The stable code of an error, such as `T0001`, naming its page of explanation.
///
/// Every failure a program can cause has one:
/// [`ActorSystemError::code`](crate::ActorSystemError::code) and
/// [`WireError::code`](crate::wire::WireError::code) return it, and the error's text starts
/// with it (`error[T0001]: ...`). Each code has a page saying what happened, how to cause it
/// and how to fix it: the documentation of the constant of the same name in
/// [`codes`](crate::codes), and the book page that [`page`](Self::page) names. Codes are
/// assigned once and never change or get reused.
///
/// # Examples
///
/// ```
/// use thespian::codes;
///
/// assert_eq!(codes::T0001.to_string(), "T0001");
/// assert_eq!(codes::T0001.page(), "errors/T0001.html");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ErrorCode {
    code: &'static str,
    page: &'static str,
}

impl ErrorCode {
    /// A code and the path of its book page; only this module makes them.
    pub(crate) const fn new(code: &'static str, page: &'static str) -> Self {
        Self { code, page }
    }

    /// The code as text, such as `"T0001"`.
    pub fn as_str(self) -> &'static str {
        self.code
    }

    /// The path of the code's page in the book, relative to the book's root, such as
    /// `"errors/T0001.html"`.
    pub fn page(self) -> &'static str {
        self.page
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code)
    }
}

impl std::fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code)
    }
}

/// Declares each code as a constant documented by its page, `errors/<code>.md` in this
/// crate, and lists them all in [`ALL`].
macro_rules! codes {
    ($($code:ident),* $(,)?) => {
        $(
            #[doc = include_str!(concat!("../errors/", stringify!($code), ".md"))]
            pub const $code: ErrorCode =
                ErrorCode::new(stringify!($code), concat!("errors/", stringify!($code), ".html"));
        )*

        /// Every code, in order.
        pub const ALL: &[ErrorCode] = &[$($code),*];

        /// Every code with the text of its page.
        #[cfg(test)]
        pub(crate) const PAGES: &[(ErrorCode, &str)] =
            &[$(($code, include_str!(concat!("../errors/", stringify!($code), ".md")))),*];
    };
}

codes! {
    T0001, T0002, T0003, T0004, T0005, T0006, T0007, T0008, T0009, T0010, T0011, T0012, T0013, T0014, T0015, T0016,
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::ALL;

    /// The book shows each code's page by including this crate's copy, and lists every code.
    #[test]
    fn style_12_the_book_has_a_page_for_every_code() {
        let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("../book/src");
        if !book.is_dir() {
            return; // a packaged crate, without the book
        }
        let read =
            |path: &str| std::fs::read_to_string(book.join(path)).unwrap_or_else(|e| panic!("book/src/{path}: {e}"));
        let (index, summary) = (read("errors/index.md"), read("SUMMARY.md"));
        for code in ALL {
            let page = read(&format!("errors/{code}.md"));
            let include = format!("{{{{#include ../../../thespian/errors/{code}.md}}}}");
            assert_eq!(page.trim(), include, "book/src/errors/{code}.md should only include the crate's page");
            assert!(index.contains(&format!("[{code}]({code}.md)")), "errors/index.md should list {code}");
            assert!(summary.contains(&format!("(errors/{code}.md)")), "SUMMARY.md should list {code}");
        }
    }
}
