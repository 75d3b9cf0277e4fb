//! Watching file descriptors: `ThespianWatch` and `WatchMessage` (spec §4.8, §5.2.1, §7.3),
//! and the capability "Thespian Watch Supported" that says where they work (§9.1).
//!
//! On `multiprocTCPBase` the actor runs in a process of its own, so the descriptors it
//! watches are its own: the actor binds UDP sockets on the loopback and tells the test their
//! ports, and the test sends datagrams to them.

#![cfg(target_os = "linux")]

mod common;

use std::io::ErrorKind;
use std::net::UdpSocket;
use std::os::fd::AsRawFd;

use common::{answer, quiet, ANSWER};
use thespian::prelude::*;

// ----- messages ---------------------------------------------------------------------------

/// Asks a [`Listener`] to bind `count` UDP sockets and to watch them (when `watch` is set),
/// together with the descriptors in `also` (which need not be open).
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Open {
    count: usize,
    watch: bool,
    also: Vec<i32>,
}

/// The sockets a [`Listener`] bound: their ports and descriptors, in the same order.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Opened {
    ports: Vec<u16>,
    fds: Vec<i32>,
}

/// A [`Listener`]'s report of a `WatchMessage`: the ready descriptors, and the datagrams
/// read from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct Got {
    ready: Vec<i32>,
    data: Vec<String>,
}

/// Asks a [`Listener`] to watch its sockets again (answered with `"watching"`).
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Rewatch;

// ----- the actor --------------------------------------------------------------------------

/// Binds sockets on request and reports what arrives on them. A `String` is answered with
/// `"pong"` and watches nothing.
#[derive(Default)]
struct Listener {
    sockets: Vec<UdpSocket>,
    client: Option<ActorAddress>,
}

#[actor]
impl Listener {
    #[handler(Open)]
    fn open(
        &mut self,
        msg: &Open,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> Result<ThespianWatch, std::io::Error> {
        let mut ports = Vec::new();
        for _ in 0..msg.count {
            let socket = UdpSocket::bind("127.0.0.1:0")?;
            socket.set_nonblocking(true)?;
            ports.push(socket.local_addr()?.port());
            self.sockets.push(socket);
        }
        self.client = Some(sender.clone());
        ctx.send(sender, Opened { ports, fds: self.fds() });
        let also = msg.also.iter().copied();
        Ok(if msg.watch { self.fds().into_iter().chain(also).collect() } else { ThespianWatch::default() })
    }

    #[handler(Rewatch)]
    fn rewatch(&mut self, _: &Rewatch, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ThespianWatch {
        ctx.send(sender, "watching".to_string());
        ThespianWatch::new(self.fds())
    }

    #[handler(String)]
    fn ping(&mut self, _: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "pong".to_string());
    }

    #[handler(WatchMessage)]
    fn ready(&mut self, msg: &WatchMessage, ctx: &mut ActorContext<'_>) -> Result<ThespianWatch, std::io::Error> {
        let mut data = Vec::new();
        for socket in self.sockets.iter().filter(|s| msg.ready.contains(&s.as_raw_fd())) {
            let mut buf = [0u8; 512];
            loop {
                match socket.recv(&mut buf) {
                    Ok(n) => data.push(String::from_utf8_lossy(&buf[..n]).into_owned()),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
        }
        if let Some(client) = &self.client {
            ctx.send(client, Got { ready: msg.ready.clone(), data });
        }
        Ok(ThespianWatch::new(self.fds()))
    }
}

impl Listener {
    fn fds(&self) -> Vec<i32> {
        self.sockets.iter().map(AsRawFd::as_raw_fd).collect()
    }
}

/// The same, written by hand: watches through `ActorContext::watch`.
#[derive(Default)]
struct HandListener {
    socket: Option<UdpSocket>,
    client: Option<ActorAddress>,
}

thespian::register_actor!(HandListener);

impl Actor for HandListener {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<Open>() {
            let socket = UdpSocket::bind("127.0.0.1:0")?;
            socket.set_nonblocking(true)?;
            let opened = Opened { ports: vec![socket.local_addr()?.port()], fds: vec![socket.as_raw_fd()] };
            self.socket = Some(socket);
            self.client = Some(sender.clone());
            ctx.send(sender, opened);
        } else if let (Some(ready), Some(socket)) = (msg.downcast_ref::<WatchMessage>(), &self.socket) {
            let mut buf = [0u8; 512];
            let n = socket.recv(&mut buf)?;
            if let Some(client) = &self.client {
                let got =
                    Got { ready: ready.ready.clone(), data: vec![String::from_utf8_lossy(&buf[..n]).into_owned()] };
                ctx.send(client, got);
            }
        }
        if let Some(socket) = &self.socket {
            ctx.watch(ThespianWatch::new([socket.as_raw_fd()]));
        }
        Ok(())
    }
}

// ----- helpers ----------------------------------------------------------------------------

/// Sends `text` as one datagram to the loopback `port`.
fn send_to(port: u16, text: &str) -> Result<(), common::Failure> {
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    socket.send_to(text.as_bytes(), ("127.0.0.1", port))?;
    Ok(())
}

/// Waits for the next message at `asys`, which must be a [`Got`].
fn got(asys: &ActorSystem) -> Result<Got, common::Failure> {
    let msg = asys.listen(ANSWER)?.ok_or("no report of a WatchMessage")?;
    msg.downcast::<Got>().map(|got| *got).map_err(|other| format!("expected a `Got`, got {other:?}").into())
}

fn opened(asys: &ActorSystem, listener: &ActorAddress, open: Open) -> Result<Opened, common::Failure> {
    answer::<Opened>(asys, listener, open)
}

// ----- tests ------------------------------------------------------------------------------

on_multiprocess_bases! {
    fn spec_4_8_a_watched_descriptor_with_data_is_reported_in_a_watch_message(asys) {
        let listener = asys.create_actor::<Listener>()?;
        let sockets = opened(asys, &listener, Open { count: 1, watch: true, also: vec![] })?;
        send_to(sockets.ports[0], "hello")?;
        assert_eq!(got(asys)?, Got { ready: sockets.fds.clone(), data: vec!["hello".into()] });
        // The `WatchMessage` handler watched again: the next datagram is reported too.
        send_to(sockets.ports[0], "again")?;
        assert_eq!(got(asys)?, Got { ready: sockets.fds, data: vec!["again".into()] });
        Ok(())
    }

    fn spec_5_2_1_a_hand_written_actor_watches_through_its_context(asys) {
        let listener = asys.create_actor::<HandListener>()?;
        let sockets = opened(asys, &listener, Open { count: 1, watch: true, also: vec![] })?;
        send_to(sockets.ports[0], "by hand")?;
        assert_eq!(got(asys)?, Got { ready: sockets.fds, data: vec!["by hand".into()] });
        Ok(())
    }

    fn spec_4_8_a_watch_is_valid_for_one_return_only(asys) {
        let listener = asys.create_actor::<Listener>()?;
        let sockets = opened(asys, &listener, Open { count: 1, watch: true, also: vec![] })?;
        // This handler returns no watch: from now on the socket is not watched.
        assert_eq!(answer::<String>(asys, &listener, "ping".to_string())?, "pong");
        send_to(sockets.ports[0], "unwatched")?;
        quiet(asys)?;
        // Watching again reports the datagram that waited meanwhile.
        assert_eq!(answer::<String>(asys, &listener, Rewatch)?, "watching");
        assert_eq!(got(asys)?, Got { ready: sockets.fds, data: vec!["unwatched".into()] });
        Ok(())
    }

    fn spec_7_3_ready_lists_only_the_descriptors_with_data(asys) {
        let listener = asys.create_actor::<Listener>()?;
        let sockets = opened(asys, &listener, Open { count: 2, watch: true, also: vec![] })?;
        send_to(sockets.ports[1], "second")?;
        assert_eq!(got(asys)?, Got { ready: vec![sockets.fds[1]], data: vec!["second".into()] });
        send_to(sockets.ports[0], "first")?;
        assert_eq!(got(asys)?, Got { ready: vec![sockets.fds[0]], data: vec!["first".into()] });
        Ok(())
    }

    fn spec_4_8_a_descriptor_that_is_not_open_is_dropped_from_the_watch(asys) {
        let listener = asys.create_actor::<Listener>()?;
        // Far above any descriptor the actor's process has open.
        let not_open = 1_000_000;
        let sockets = opened(asys, &listener, Open { count: 1, watch: true, also: vec![not_open] })?;
        send_to(sockets.ports[0], "still here")?;
        assert_eq!(got(asys)?, Got { ready: sockets.fds, data: vec!["still here".into()] });
        assert_eq!(answer::<String>(asys, &listener, "ping".to_string())?, "pong");
        Ok(())
    }

    fn spec_9_1_watch_is_supported_on_the_multi_process_bases(asys) {
        let supported = Some(CapValue::Bool(true));
        assert_eq!(asys.capabilities()?.get("Thespian Watch Supported"), supported.as_ref());
        asys.update_capability("Thespian Watch Supported", Some(false.into()))?;
        assert_eq!(asys.capabilities()?.get("Thespian Watch Supported"), supported.as_ref(), "read-only");
        Ok(())
    }
}

#[test]
fn spec_9_1_watch_is_not_supported_on_the_simple_base() -> common::TestResult {
    let asys = common::system("simpleSystemBase");
    assert_eq!(asys.capabilities()?.get("Thespian Watch Supported"), Some(&CapValue::Bool(false)));
    asys.update_capability("Thespian Watch Supported", Some(true.into()))?;
    assert_eq!(asys.capabilities()?.get("Thespian Watch Supported"), Some(&CapValue::Bool(false)), "read-only");
    Ok(asys.shutdown()?)
}

#[test]
fn spec_4_8_a_watch_is_ignored_where_unsupported() -> common::TestResult {
    let asys = common::system("simpleSystemBase");
    let listener = asys.create_actor::<Listener>()?;
    let sockets = opened(&asys, &listener, Open { count: 1, watch: true, also: vec![] })?;
    send_to(sockets.ports[0], "nobody polls")?;
    quiet(&asys)?;
    assert_eq!(answer::<String>(&asys, &listener, "ping".to_string())?, "pong", "the actor carries on");
    Ok(asys.shutdown()?)
}
