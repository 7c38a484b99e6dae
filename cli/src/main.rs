//! `zkcred`: zero-knowledge credentials from the command line.
//!
//! See the README for a walkthrough. Exit codes: 0 success, 1 rejected or failed, 2 malformed
//! input or usage, 3 a store locked or failing (see [`exit`]).
#![forbid(unsafe_code)]

mod cmd;
mod exit;
mod files;
mod lock;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Zero-knowledge credentials: an issuer anchors credential commitments, a holder proves
/// statements about them, a platform verifies without learning anything else.
#[derive(Parser)]
#[command(name = "zkcred", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole flow on embedded defaults in a temporary directory.
    Demo(cmd::demo::Args),
    /// Make the Groth16 keys for the credential circuit.
    #[command(subcommand)]
    Setup(cmd::setup::Command),
    /// The holder's wallet: secret, credentials, keys, synced paths, pinned platforms.
    #[command(subcommand)]
    Holder(cmd::holder::Command),
    /// The platform's signing key.
    #[command(subcommand)]
    Platform(cmd::platform::Command),
    /// The issuer's database: issue, revoke, anchor, publish the tree, serve paths.
    #[command(subcommand)]
    Issuer(cmd::issuer::Command),
    /// Write a signed proof request (what a platform sends to a holder).
    Request(cmd::request::Args),
    /// Prove a request with a credential (run by the holder).
    Prove(cmd::prove::Args),
    /// Verify one or more proofs against the platform's own request.
    Verify(cmd::verify::Args),
    /// Run the platform's verification service (HTTP): requests, presentations, nullifiers.
    Serve(cmd::serve::Args),
    /// The EVM side: account keys, deploying registry, verifier and gates, gate requests and
    /// submissions.
    #[command(subcommand)]
    Chain(cmd::chain::Command),
    /// Export a verifying key in another form.
    #[command(subcommand)]
    Export(cmd::chain::Export),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // arkworks' parallel FFTs and MSMs keep sizeable arrays on worker stacks; give the workers
    // room (the default 2 MiB overflows in the ceremony's group FFTs).
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(32 << 20)
        .build_global();
    let result = match cli.command {
        Command::Demo(a) => cmd::demo::run(a),
        Command::Setup(c) => cmd::setup::run(c),
        Command::Holder(c) => cmd::holder::run(c),
        Command::Platform(c) => cmd::platform::run(c),
        Command::Issuer(c) => cmd::issuer::run(c),
        Command::Request(a) => cmd::request::run(a),
        Command::Prove(a) => cmd::prove::run(a),
        Command::Verify(a) => cmd::verify::run(a),
        Command::Serve(a) => cmd::serve::run(a),
        Command::Chain(c) => cmd::chain::run(c),
        Command::Export(e) => cmd::chain::export(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::code(&e))
        }
    }
}

#[cfg(test)]
mod tests {
    /// clap's own consistency checks (unique argument ids, valid defaults) on every subcommand.
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
