//! What users touch: actors, addresses, messages, the system, errors and capabilities.

pub(crate) mod actor;
pub(crate) mod address;
pub(crate) mod capabilities;
pub(crate) mod codec;
pub(crate) mod context;
pub(crate) mod dispatch;
pub(crate) mod error;
pub(crate) mod logging;
pub(crate) mod message;
pub(crate) mod system_messages;
pub(crate) mod watch;
