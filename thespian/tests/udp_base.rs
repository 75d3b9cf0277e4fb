//! multiprocUDPBase (spec §9.5): every actor in a process of its own, one UDP socket each,
//! one message per datagram. The behaviours it shares with the other bases run on it
//! through `on_every_base!` and `on_multiprocess_bases!`; these are its own: the default
//! Admin Port, and the datagram limit ("the UDP-based ActorSystem can only exchange
//! messages up to 64KiB in size. Larger messages will fail."), which is never a silent drop.
//! The confirmed delivery under it (lost datagrams sent again, duplicates dropped, order
//! kept) is tested on the streams themselves, in the crate's unit tests.
#![cfg(target_os = "linux")]

mod common;

use common::actors::{pattern, Blob, BlobEcho};
use common::*;
use thespian::prelude::*;
use thespian::wire::WireError;

const UDP: &str = "multiprocUDPBase";

/// Asks a [`Relayer`] to send a [`Blob`] of `len` bytes to `to`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Relay {
    to: ActorAddress,
    len: usize,
}

/// What became of a [`Relay`]: the echo's answer, or the poison's reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
enum Relayed {
    Echoed(usize),
    Refused(String),
}

/// Sends blobs from an actor, and tells its asker what became of them.
#[derive(Default)]
struct Relayer {
    asker: Option<ActorAddress>,
}

#[actor]
impl Relayer {
    #[handler(Relay)]
    fn relay(&mut self, r: &Relay, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.asker = Some(sender.clone());
        ctx.send(&r.to, pattern(r.len));
    }

    #[handler(Blob)]
    fn back(&mut self, b: &Blob, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        if let Some(asker) = &self.asker {
            ctx.send(asker, Relayed::Echoed(b.0.len()));
        }
    }

    #[handler(PoisonMessage)]
    fn refused(&mut self, p: &PoisonMessage, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        if let Some(asker) = &self.asker {
            ctx.send(asker, Relayed::Refused(p.details.clone()));
        }
    }
}

/// A message comfortably over the 64 KiB datagram limit.
const OVER: usize = 70_000;

/// `outcome` is the refusal of something over the datagram limit, naming size and limit.
fn refused_as_too_large<T: std::fmt::Debug>(outcome: Result<T, ActorSystemError>) -> TestResult {
    match outcome {
        Err(ActorSystemError::Wire(WireError::TooLarge { size, limit })) => {
            assert!(size > limit && limit < 64 * 1024, "{size} over {limit}");
            Ok(())
        }
        other => Err(format!("expected WireError::TooLarge, got {other:?}").into()),
    }
}

/// The system carries on after a refusal: `echo` still answers.
fn still_echoes(asys: &ActorSystem, echo: &ActorAddress) -> TestResult {
    let back: Blob = answer(asys, echo, pattern(100))?;
    assert_eq!(back, pattern(100));
    Ok(())
}

#[test]
fn spec_9_5_the_admin_port_is_1029_by_default() {
    // Attaching only, so that nothing is started on the real default port.
    let refused = ActorSystem::builder().base(UDP).attach_only(true).build().err();
    match refused {
        Some(ActorSystemError::ActorSystemStartupFailure { reason }) => {
            assert!(reason.contains(":1029"), "the default Admin Port is named: {reason}");
        }
        other => panic!("expected ActorSystemStartupFailure with no system on 1029, got {other:?}"),
    }
}

#[test]
fn spec_9_5_messages_up_to_the_datagram_limit_arrive_whole() -> TestResult {
    let asys = system(UDP);
    let echo = asys.create_actor::<BlobEcho>()?;
    for len in [0, 1, 1 << 10, 32 << 10, 65_000] {
        let sent = pattern(len);
        let back: Blob = answer(&asys, &echo, sent.clone())?;
        assert!(back == sent, "a {len}-byte message came back as {} bytes, or changed", back.0.len());
    }
    asys.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_5_a_message_over_the_datagram_limit_is_refused_to_external_code() -> TestResult {
    let asys = system(UDP);
    let echo = asys.create_actor::<BlobEcho>()?;
    refused_as_too_large(asys.tell(&echo, pattern(OVER)))?;
    // Refused, not lost along the way: the system and the actor carry on.
    still_echoes(&asys, &echo)?;
    asys.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_5_an_actor_sending_over_the_datagram_limit_gets_poison_with_the_reason() -> TestResult {
    let asys = system(UDP);
    let (echo, relayer) = (asys.create_actor::<BlobEcho>()?, asys.create_actor::<Relayer>()?);
    let refused: Relayed = answer(&asys, &relayer, Relay { to: echo.clone(), len: OVER })?;
    match refused {
        Relayed::Refused(reason) => assert!(reason.contains("limit"), "the reason says why: {reason}"),
        other => return Err(format!("expected the poison's reason, got {other:?}").into()),
    }
    let fits: Relayed = answer(&asys, &relayer, Relay { to: echo, len: 60_000 })?;
    assert_eq!(fits, Relayed::Echoed(60_000));
    asys.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_5_a_request_to_the_admin_over_the_datagram_limit_is_refused_and_the_system_carries_on() -> TestResult {
    let asys = system(UDP);
    let echo = asys.create_actor::<BlobEcho>()?;
    // A capability value alone larger than a datagram: the request cannot reach the admin.
    let huge = CapValue::Str("x".repeat(OVER));
    refused_as_too_large(asys.update_capability("huge", Some(huge)))?;
    // Refused before it was sent: the program's connection to the admin still works.
    asys.update_capability("small", Some(CapValue::Int(1)))?;
    assert_eq!(asys.capabilities()?.get("small"), Some(&CapValue::Int(1)));
    assert_eq!(asys.capabilities()?.get("huge"), None, "nothing of the refused request arrived");
    still_echoes(&asys, &echo)?;
    asys.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_5_capabilities_that_together_exceed_the_datagram_limit_are_refused() -> TestResult {
    let asys = system(UDP);
    let echo = asys.create_actor::<BlobEcho>()?;
    // Each fits a datagram alone; together they do not, and every process is sent the set.
    let part = || Some(CapValue::Str("x".repeat(40_000)));
    asys.update_capability("first", part())?;
    refused_as_too_large(asys.update_capability("second", part()))?;
    let capabilities = asys.capabilities()?;
    assert!(capabilities.get("first").is_some() && capabilities.get("second").is_none());
    // Removing one makes room again.
    asys.update_capability("first", None)?;
    asys.update_capability("second", part())?;
    assert!(asys.capabilities()?.get("second").is_some());
    still_echoes(&asys, &echo)?;
    asys.shutdown()?;
    Ok(())
}
