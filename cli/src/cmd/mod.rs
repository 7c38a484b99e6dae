//! One module per subcommand.

pub mod demo;
pub mod holder;
pub mod issuer;
pub mod platform;
pub mod prove;
pub mod request;
pub mod serve;
pub mod setup;
pub mod verify;
