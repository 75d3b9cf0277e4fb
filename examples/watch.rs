//! Watching file descriptors (usage guide §4.8): an actor on `multiprocTCPBase` binds a UDP
//! socket in its own process, returns a `ThespianWatch` of it from every handler, and is sent
//! a `WatchMessage` whenever datagrams wait to be read. It forwards each one to whoever
//! asked it to listen. No thread, no busy loop, no polling wakeups.
//!
//! Run it with `cargo run --example watch`.

use std::io::ErrorKind;
use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(10);

// ANCHOR: actor
/// Asks a `Relay` to open its socket; it answers with the socket's port.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Listen;

/// Reads datagrams from a UDP socket and sends each one, as a `String`, to its listener.
#[derive(Default)]
struct Relay {
    socket: Option<UdpSocket>,
    listener: Option<ActorAddress>,
}

#[actor]
impl Relay {
    #[handler(Listen)]
    fn listen(
        &mut self,
        _: &Listen,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> std::io::Result<ThespianWatch> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_nonblocking(true)?; // read what is there, never wait for more
        ctx.send(sender, socket.local_addr()?.port());
        self.socket = Some(socket);
        self.listener = Some(sender.clone());
        Ok(self.watch())
    }

    /// `ready` lists the watched descriptors that can be read: here, the one socket.
    #[handler(WatchMessage)]
    fn ready(&mut self, _: &WatchMessage, ctx: &mut ActorContext<'_>) -> std::io::Result<ThespianWatch> {
        if let (Some(socket), Some(listener)) = (&self.socket, &self.listener) {
            let mut buf = [0u8; 1500];
            loop {
                match socket.recv(&mut buf) {
                    Ok(n) => ctx.send(listener, String::from_utf8_lossy(&buf[..n]).into_owned()),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
        }
        // A watch lasts until the next message: return it again to keep watching.
        Ok(self.watch())
    }
}

impl Relay {
    fn watch(&self) -> ThespianWatch {
        ThespianWatch::new(self.socket.iter().map(AsRawFd::as_raw_fd))
    }
}
// ANCHOR_END: actor

// ANCHOR: main
fn main() -> Result<(), Box<dyn std::error::Error>> {
    thespian::init();
    let asys = ActorSystem::builder().base("multiprocTCPBase").admin_port(0).shutdown_on_drop(true).build()?;
    let supported = asys.capabilities()?.get("Thespian Watch Supported").is_some_and(CapValue::is_truthy);
    assert!(supported, "multiprocTCPBase watches file descriptors");

    let relay = asys.create_actor::<Relay>()?;
    let port: u16 = asys.ask_as(&relay, Listen, WAIT)?.ok_or("the relay did not answer")?;
    let client = UdpSocket::bind("127.0.0.1:0")?;
    for line in ["one", "two", "three"] {
        client.send_to(line.as_bytes(), ("127.0.0.1", port))?;
        let relayed: Option<String> = asys.listen_as(WAIT)?;
        println!("relayed: {relayed:?}");
        assert_eq!(relayed.as_deref(), Some(line));
    }
    asys.shutdown()?;
    Ok(())
}
// ANCHOR_END: main
