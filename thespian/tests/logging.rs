//! Spec §4.13 (logging): the core logs with `tracing`; failures at warn, dropped and
//! unrecognized messages at debug, each event carrying the actor's address.
//!
//! The simple base runs actors in the calling thread, so a thread-local subscriber sees
//! every event of the system under test.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use thespian::prelude::*;
use tracing_subscriber::fmt::MakeWriter;

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut all) = self.0.lock() {
            all.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[derive(Default)]
struct Fragile;

#[actor]
impl Fragile {
    #[handler(String)]
    fn on_text(&mut self, msg: &String) -> Result<(), String> {
        Err(format!("cannot handle {msg:?}"))
    }
}

/// Runs `body` with a capturing subscriber at `level`, returning what it logged.
fn logged(body: impl FnOnce() -> Result<(), ActorSystemError>) -> Result<String, ActorSystemError> {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, body)?;
    Ok(captured.text())
}

#[test]
fn spec_4_13_failures_logged_at_warn_with_actor_address() -> Result<(), ActorSystemError> {
    let mut address = None;
    let text = logged(|| {
        let asys = ActorSystem::builder().logging(Logging::Off).build()?;
        let fragile = asys.create_actor::<Fragile>()?;
        address = Some(fragile.clone());
        let reply = asys.ask(&fragile, "boom".to_string(), Duration::from_secs(5))?;
        assert!(reply.is_some_and(|r| r.is::<PoisonMessage>()), "the asker gets the poison back");
        asys.shutdown()
    })?;
    let address = address.expect("the actor was created").to_string();
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains("WARN")).collect();
    assert!(warnings.len() >= 2, "one warning per failed attempt, got:\n{text}");
    assert!(warnings.iter().all(|l| l.contains(&format!("actor_address={address}"))), "{text}");
    assert!(warnings.iter().any(|l| l.contains("cannot handle")), "the failure text is logged:\n{text}");
    Ok(())
}

#[test]
fn spec_4_13_unrecognized_and_dead_letters_logged_at_debug() -> Result<(), ActorSystemError> {
    let text = logged(|| {
        let asys = ActorSystem::builder().logging(Logging::Off).build()?;
        let fragile = asys.create_actor::<Fragile>()?;
        asys.tell(&fragile, 7_u8)?; // no handler for u8
        asys.tell(&fragile, ActorExitRequest::new())?;
        asys.tell(&fragile, 8_u8)?; // to an exited actor, no dead-letter handler
        asys.shutdown()
    })?;
    let debug: Vec<&str> = text.lines().filter(|l| l.contains("DEBUG")).collect();
    assert!(
        debug.iter().any(|l| l.contains("no handler for the message") && l.contains("actor_address=")),
        "unrecognized message logged at debug with the actor's address:\n{text}"
    );
    assert!(
        debug.iter().any(|l| l.contains("dead letter dropped") && l.contains("dead_address=")),
        "dropped dead letter logged at debug:\n{text}"
    );
    assert!(!text.lines().any(|l| l.contains("WARN")), "nothing here is a warning:\n{text}");
    Ok(())
}
