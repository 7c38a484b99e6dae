//! One module per subcommand.

pub mod chain;
pub mod demo;
pub mod demo_chain;
pub mod holder;
pub mod issuer;
pub mod platform;
pub mod prove;
pub mod request;
pub mod serve;
pub mod setup;
pub mod verify;
