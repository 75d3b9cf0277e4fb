//! What a `#[handler]` method may take and return: the message as `&T` or `&mut T`, then
//! optionally the sender, then optionally the context; and `()`, `Dispatch`, or a `Result`
//! of either, whose `Err` is a failure like a panic.
//!
//! Run it with `cargo run --example handlers`.

use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(1);

// ANCHOR: messages
/// Puts money in.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Deposit(u64);

/// Takes money out, if there is enough.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Withdraw(u64);

/// Asks to be sent the new balance after every withdrawal.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Watch;

/// Asks for a statement: the ledger fills in the lines and sends the statement back.
#[derive(Debug, Default, Serialize, Deserialize, Message)]
struct Statement {
    lines: Vec<String>,
}
// ANCHOR_END: messages

// ANCHOR: ledger
/// An account's balance and history.
#[derive(Default)]
struct Ledger {
    balance: u64,
    history: Vec<String>,
    watcher: Option<ActorAddress>,
}

#[actor]
impl Ledger {
    /// Just the message: nothing to answer, nobody to tell.
    #[handler(Deposit)]
    fn deposit(&mut self, msg: &Deposit) {
        self.balance += msg.0;
        self.history.push(format!("+{}", msg.0));
    }

    /// The message and its sender, kept to be told later.
    #[handler(Watch)]
    fn watch(&mut self, _msg: &Watch, sender: &ActorAddress) {
        self.watcher = Some(sender.clone());
    }

    /// The message and the context, and a `Result`: an `Err` fails the handler.
    #[handler(Withdraw)]
    fn withdraw(&mut self, msg: &Withdraw, ctx: &mut ActorContext<'_>) -> Result<(), String> {
        if msg.0 > self.balance {
            return Err(format!("cannot take {} from a balance of {}", msg.0, self.balance));
        }
        self.balance -= msg.0;
        self.history.push(format!("-{}", msg.0));
        if let Some(watcher) = &self.watcher {
            ctx.send(watcher, self.balance);
        }
        Ok(())
    }

    /// Everything, with `&self` (it changes nothing of the ledger) and the message by
    /// `&mut`, so that the handler can fill it in and send it back without a copy.
    #[handler(Statement)]
    fn statement(&self, msg: &mut Statement, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        msg.lines.extend(self.history.iter().cloned());
        msg.lines.push(format!("balance {}", self.balance));
        ctx.send(sender, std::mem::take(msg));
    }
}
// ANCHOR_END: ledger

fn main() -> Result<(), ActorSystemError> {
    // ANCHOR: use
    // The failed withdrawal below would log two warnings; keep the output to the point.
    let asys = ActorSystem::builder().logging(Logging::Off).build()?;
    let ledger = asys.create_actor::<Ledger>()?;
    asys.tell(&ledger, Deposit(100))?;
    asys.tell(&ledger, Watch)?;
    asys.tell(&ledger, Withdraw(30))?;
    let balance: Option<u64> = asys.listen_as(WAIT)?;
    println!("watching: the balance is now {balance:?}");
    assert_eq!(balance, Some(70));

    // Too much: the handler returns `Err`, is retried once, and the message comes back.
    let reply = asys.ask(&ledger, Withdraw(500), WAIT)?.expect("an answer");
    let poison = reply.downcast::<PoisonMessage>().expect("a poison message");
    println!("refused: {}", poison.details);
    assert!(poison.details.contains("cannot take 500 from a balance of 70"));

    let statement: Option<Statement> = asys.ask_as(&ledger, Statement::default(), WAIT)?;
    let lines = statement.map(|s| s.lines).unwrap_or_default();
    println!("statement: {}", lines.join(", "));
    assert_eq!(lines, ["+100", "-30", "balance 70"]);
    // ANCHOR_END: use

    asys.shutdown()
}
