//! [`ThespianWatch`]: the file descriptors an actor asks to be told about (spec §4.8, §5.2.1).

/// File descriptors an actor wants watched for readable data until it handles its next
/// message (spec §4.8 "Watching File Descriptors", §5.2.1 "Return Value").
///
/// When one of them has data to read (or is at its end), the actor is sent a
/// [`WatchMessage`](crate::WatchMessage) whose `ready` lists the ones that are ready. A watch
/// is valid for **one** return of the handler only: every handler invocation that should
/// keep watching must supply it again. Only readability is watched, with no timeout (use
/// [`ActorContext::wakeup_after`](crate::ActorContext::wakeup_after) for one).
///
/// A `#[handler]` or `#[unrecognized]` method supplies it by returning it (or
/// `Result<ThespianWatch, E>`); a hand-written [`Actor`](crate::Actor) calls
/// [`ActorContext::watch`](crate::ActorContext::watch) before returning. Watching is supported
/// where the capability `"Thespian Watch Supported"` is true: on `multiprocTCPBase` (Linux),
/// where the descriptors are those of the actor's own process. Elsewhere a watch is ignored.
///
/// A descriptor that is not open when it is watched is logged and left out of the watch; it
/// does not end the actor.
///
/// # Examples
///
/// ```
/// use std::net::UdpSocket;
/// use std::os::fd::AsRawFd;
/// use thespian::prelude::*;
///
/// #[derive(Default)]
/// struct Listener {
///     socket: Option<UdpSocket>,
/// }
///
/// #[actor]
/// impl Listener {
///     #[handler(String)]
///     fn bind(&mut self, _: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Result<ThespianWatch, std::io::Error> {
///         let socket = UdpSocket::bind("127.0.0.1:0")?;
///         ctx.send(sender, socket.local_addr()?.port());
///         let watch = ThespianWatch::new([socket.as_raw_fd()]);
///         self.socket = Some(socket);
///         Ok(watch)
///     }
///
///     #[handler(WatchMessage)]
///     fn ready(&mut self, msg: &WatchMessage) -> ThespianWatch {
///         // read from the ready descriptors in `msg.ready`, then watch again
///         # let _ = msg;
///         self.watch()
///     }
/// }
///
/// impl Listener {
///     fn watch(&self) -> ThespianWatch {
///         ThespianWatch::new(self.socket.iter().map(AsRawFd::as_raw_fd))
///     }
/// }
/// # fn main() {}
/// ```
#[doc(alias = "Watch")]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThespianWatch {
    fds: Vec<i32>,
}

impl ThespianWatch {
    /// A watch of the file descriptors `fds` (raw descriptor numbers, such as
    /// `socket.as_raw_fd()`). Duplicates are watched once.
    pub fn new(fds: impl IntoIterator<Item = i32>) -> Self {
        let mut fds: Vec<i32> = fds.into_iter().collect();
        fds.sort_unstable();
        fds.dedup();
        Self { fds }
    }

    /// The watched descriptors, in increasing order.
    pub fn fds(&self) -> &[i32] {
        &self.fds
    }

    /// True if it watches no descriptor.
    pub fn is_empty(&self) -> bool {
        self.fds.is_empty()
    }

    pub(crate) fn into_fds(self) -> Vec<i32> {
        self.fds
    }
}

impl FromIterator<i32> for ThespianWatch {
    fn from_iter<I: IntoIterator<Item = i32>>(fds: I) -> Self {
        Self::new(fds)
    }
}
