//! `zkcred chain …` and `zkcred export solidity`: the EVM side (contracts in `contracts/`,
//! logic in `zkcred_chain`; docs/chain.md).

use crate::exit::{classify, malformed};
use crate::files;
use anyhow::{Context as _, Result};
use clap::{Args as ClapArgs, Subcommand};
use serde_json::json;
use std::path::{Path, PathBuf};
use zkcred_chain::alloy_primitives::Address;
use zkcred_chain::{Artifact, Chain, EthKey, GateCall};
use zkcred_core::anchor::AnchorEntry;
use zkcred_core::date::Date;
use zkcred_core::encoding::fr_to_string;

/// `zkcred chain` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Create an account key file (mode 0600) and print its address.
    Key {
        /// Where to write the key.
        #[arg(long)]
        out: PathBuf,
    },
    /// Deploy what is missing of registry, verifier and a gate for a policy; print their
    /// addresses and the gas each deployment used (JSON).
    Deploy(DeployArgs),
    /// Write the request a holder proves for a gate, bound to the account that will submit.
    Request {
        #[command(flatten)]
        rpc: Rpc,
        /// The gate's address.
        #[arg(long)]
        gate: String,
        /// The account that will submit the proof (the proof's message is bound to it).
        #[arg(long)]
        account: String,
        /// The request date [default: the chain's date at its latest block].
        #[arg(long)]
        date: Option<String>,
        /// Where to write the request.
        #[arg(long)]
        out: PathBuf,
    },
    /// Submit a proof to a gate from the signing account; exit 1 with the contract's reason if
    /// the gate refuses it.
    Submit {
        #[command(flatten)]
        rpc: Rpc,
        /// The signing account's key file.
        #[arg(long)]
        signer: PathBuf,
        /// The gate's address.
        #[arg(long)]
        gate: String,
        /// The zkcred-proof.json (or the directory `zkcred prove` wrote).
        #[arg(long)]
        proof: PathBuf,
    },
    /// First step of moving the signing account's issuer to another account's key (the issuer's
    /// DID stays); the other account finishes with `accept-issuer`.
    TransferIssuer {
        #[command(flatten)]
        at: RegistrySigner,
        /// The account that will take over (0x0000000000000000000000000000000000000000
        /// withdraws a pending transfer).
        #[arg(long)]
        to: String,
    },
    /// Second step: the signing account takes over an issuer's key.
    AcceptIssuer {
        #[command(flatten)]
        at: RegistrySigner,
        /// The issuer taken over: its `did:pkh:eip155:…` or address.
        #[arg(long)]
        issuer: String,
    },
}

/// A registry and the key that signs for it.
#[derive(ClapArgs)]
pub struct RegistrySigner {
    #[command(flatten)]
    rpc: Rpc,
    /// The RootRegistry's address.
    #[arg(long)]
    registry: String,
    /// The signing account's key file (for a transfer, the current key; to accept, the new one).
    #[arg(long)]
    signer: PathBuf,
}

impl RegistrySigner {
    fn connect(&self) -> Result<(Chain, Address)> {
        let chain = connect_signed(&self.rpc.rpc, &self.signer)?;
        let registry = address("--registry", &self.registry)?;
        Ok((chain, registry))
    }
}

/// A JSON-RPC endpoint.
#[derive(ClapArgs, Clone)]
pub struct Rpc {
    /// The chain's JSON-RPC endpoint (http://…).
    #[arg(long)]
    pub rpc: String,
}

/// Arguments of `zkcred chain deploy`.
#[derive(ClapArgs)]
pub struct DeployArgs {
    #[command(flatten)]
    rpc: Rpc,
    /// The deploying account's key file (the gate's scope is under this account's DID).
    #[arg(long)]
    signer: PathBuf,
    /// An existing registry [default: deploy one].
    #[arg(long)]
    registry: Option<String>,
    /// Root window of a new registry, seconds.
    #[arg(long, default_value_t = zkcred_chain::DEFAULT_WINDOW_SECS)]
    window: u64,
    /// An existing verifier contract [default: deploy one for --keys].
    #[arg(long)]
    verifier: Option<String>,
    /// The keys directory: the verifier is rendered from its verifying key and checked against
    /// its circuit id.
    #[arg(long)]
    keys: PathBuf,
    /// A compiled verifier artifact (contracts/build.mjs --verifier) [default: render and
    /// compile with the pinned solcjs].
    #[arg(long)]
    verifier_artifact: Option<PathBuf>,
    /// Deploy a gate for this policy (a preset or a policy JSON file).
    #[arg(long, requires_all = ["label", "issuer"])]
    policy: Option<String>,
    /// The gate's scope label: its scope is `did:pkh:eip155:<chain>:<signer>/<label>`.
    #[arg(long)]
    label: Option<String>,
    /// The issuer whose roots the gate accepts: its `did:pkh:eip155:…` or address.
    #[arg(long)]
    issuer: Option<String>,
}

/// Where roots are anchored on a chain, for readers.
#[derive(ClapArgs, Clone, Default)]
pub struct ChainAnchors {
    /// Read root validity from this chain's registry instead of a ledger file.
    #[arg(long, requires = "registry")]
    pub rpc: Option<String>,
    /// The RootRegistry's address.
    #[arg(long)]
    pub registry: Option<String>,
    /// The issuer: its `did:pkh:eip155:…` or address (default: the issuer the request, the
    /// database or, for `holder sync`, the wallet's credentials name).
    #[arg(long)]
    pub issuer: Option<String>,
}

impl ChainAnchors {
    /// The issuer's anchoring history from the chain, or `None` without `--rpc`. The issuer is
    /// `--issuer`, or else `named` (the DID the request or database names).
    pub fn entries(&self, named: Option<&str>) -> Result<Option<Vec<AnchorEntry>>> {
        let Some(rpc) = &self.rpc else {
            return Ok(None);
        };
        let chain = Chain::connect(rpc, None).map_err(classify)?;
        let registry = address("--registry", self.registry.as_deref().unwrap_or_default())?;
        let issuer = self.issuer.as_deref().or(named).ok_or_else(|| {
            malformed(anyhow::anyhow!(
                "--rpc needs --issuer (the issuer's did:pkh or address)"
            ))
        })?;
        let issuer = issuer_address(&chain, issuer)?;
        Ok(Some(chain.history(registry, issuer).map_err(classify)?))
    }

    /// The registry's root window.
    pub fn window(&self) -> Result<u64> {
        let rpc = self.rpc.as_deref().unwrap_or_default();
        let chain = Chain::connect(rpc, None).map_err(classify)?;
        let registry = address("--registry", self.registry.as_deref().unwrap_or_default())?;
        chain.window(registry).map_err(classify)
    }

    /// The latest block's time of the chain, if one is named.
    pub fn head_time(&self) -> Result<Option<u64>> {
        match &self.rpc {
            None => Ok(None),
            Some(rpc) => Ok(Some(
                Chain::connect(rpc, None)
                    .and_then(|c| c.head_time())
                    .map_err(classify)?,
            )),
        }
    }
}

/// Parses an address argument.
pub fn address(what: &str, s: &str) -> Result<Address> {
    s.parse()
        .map_err(|e| malformed(anyhow::anyhow!("{what} {s:?} is not an address: {e}")))
}

/// Parses an issuer given as `did:pkh:eip155:<chain>:<address>` (on this chain) or an address.
pub fn issuer_address(chain: &Chain, s: &str) -> Result<Address> {
    if s.starts_with("did:") {
        let (id, a) = zkcred_chain::did::parse_pkh(s).ok_or_else(|| {
            malformed(anyhow::anyhow!(
                "--issuer {s:?} is not a did:pkh:eip155 DID"
            ))
        })?;
        if id != chain.chain_id() {
            return Err(malformed(anyhow::anyhow!(
                "--issuer {s:?} names chain {id}, but the endpoint is chain {}",
                chain.chain_id()
            )));
        }
        return Ok(a);
    }
    address("--issuer", s)
}

/// Connects with a signing key.
pub fn connect_signed(rpc: &str, signer: &Path) -> Result<Chain> {
    let key = EthKey::read(signer).map_err(classify)?;
    Chain::connect(rpc, Some(&key)).map_err(classify)
}

/// The verifier artifact for `keys`: read from `artifact`, or rendered and compiled.
pub fn verifier_artifact(keys: &Path, artifact: Option<&Path>) -> Result<(Artifact, String)> {
    let vk = zkcred_verifier::keys::read_verifying_key(keys).map_err(malformed)?;
    let a = match artifact {
        Some(p) => Artifact::read(p).map_err(classify)?,
        None => {
            zkcred_chain::artifact::compile_verifier(&zkcred_chain::render::render_verifier(&vk))
                .map_err(classify)?
        }
    };
    Ok((a, vk.circuit_id()))
}

/// Deploys what `a` asks for; returns a JSON summary with addresses and gas figures.
pub fn deploy(a: &DeployArgs) -> Result<serde_json::Value> {
    let chain = connect_signed(&a.rpc.rpc, &a.signer)?;
    let mut report = json!({"chain_id": chain.chain_id()});
    let registry = match &a.registry {
        Some(r) => address("--registry", r)?,
        None => {
            let d = chain.deploy_registry(a.window).map_err(classify)?;
            report["registry_gas"] = d.gas_used.into();
            d.address
        }
    };
    report["registry"] = format!("{registry:#x}").into();
    let verifier = match &a.verifier {
        Some(v) => address("--verifier", v)?,
        None => {
            let (artifact, id) = verifier_artifact(&a.keys, a.verifier_artifact.as_deref())?;
            let d = chain.deploy_verifier(&artifact, &id).map_err(classify)?;
            report["verifier_gas"] = d.gas_used.into();
            d.address
        }
    };
    report["verifier"] = format!("{verifier:#x}").into();
    if let (Some(policy), Some(label), Some(issuer)) = (&a.policy, &a.label, &a.issuer) {
        let policy = crate::cmd::request::read_policy(policy)?;
        let gp = zkcred_chain::gate::GatePolicy::new(&policy)
            .map_err(|e| malformed(anyhow::anyhow!("{e}")))?;
        let issuer = issuer_address(&chain, issuer)?;
        let d = chain
            .deploy_gate(registry, verifier, issuer, label, &gp)
            .map_err(classify)?;
        report["gate"] = format!("{:#x}", d.address).into();
        report["gate_gas"] = d.gas_used.into();
        report["scope"] = zkcred_chain::client::gate_scope(
            chain.chain_id(),
            chain.sender().unwrap_or_default(),
            label,
        )
        .into();
    }
    Ok(report)
}

/// Reads a proof envelope from a file or the directory `zkcred prove` wrote.
pub fn read_envelope(path: &Path) -> Result<zkcred_verifier::ProofEnvelope> {
    let file = if path.is_dir() {
        path.join("zkcred-proof.json")
    } else {
        path.to_path_buf()
    };
    let text = files::read_text(&file, "proof")?;
    zkcred_verifier::ProofEnvelope::from_json(&text)
        .map_err(|e| classify(e).context(file.display().to_string()))
}

/// Runs a `chain` subcommand.
pub fn run(c: Command) -> Result<()> {
    match c {
        Command::Key { out } => {
            let k = EthKey::generate();
            k.write_new(&out).map_err(classify)?;
            println!("{:#x}", k.address());
        }
        Command::Deploy(a) => {
            println!("{}", serde_json::to_string_pretty(&deploy(&a)?)?);
        }
        Command::Request {
            rpc,
            gate,
            account,
            date,
            out,
        } => {
            let chain = Chain::connect(&rpc.rpc, None).map_err(classify)?;
            let date = date
                .map(|d| Date::parse(&d).map_err(|e| malformed(anyhow::anyhow!("--date: {e}"))))
                .transpose()?;
            let r = chain
                .gate_request(
                    address("--gate", &gate)?,
                    address("--account", &account)?,
                    date,
                )
                .map_err(classify)?;
            files::write_public(&out, &r.to_json())?;
            println!(
                "request {} for gate {gate}: scope {:?}, message {:?}, written to {}",
                r.id(),
                r.scope(),
                r.message(),
                out.display()
            );
        }
        Command::Submit {
            rpc,
            signer,
            gate,
            proof,
        } => {
            let chain = connect_signed(&rpc.rpc, &signer)?;
            let envelope = read_envelope(&proof)?;
            let call = GateCall::from_envelope(&envelope).map_err(classify)?;
            let a = chain
                .submit(address("--gate", &gate)?, &call)
                .map_err(classify)
                .context(format!("gate {gate}"))?;
            println!(
                "accepted: nullifier {} recorded for {:#x} ({} gas)",
                fr_to_string(&a.nullifier),
                chain.sender().unwrap_or_default(),
                a.gas_used
            );
        }
        Command::TransferIssuer { at, to } => {
            let (chain, registry) = at.connect()?;
            let to = address("--to", &to)?;
            let gas = chain.transfer_issuer(registry, to).map_err(classify)?;
            let issuer = chain
                .issuer_of(registry, chain.sender().unwrap_or_default())
                .map_err(classify)?;
            println!(
                "transfer of {} to {to:#x} proposed ({gas} gas); it completes when {to:#x} runs \
                 `zkcred chain accept-issuer`",
                zkcred_chain::did::pkh(chain.chain_id(), issuer)
            );
        }
        Command::AcceptIssuer { at, issuer } => {
            let (chain, registry) = at.connect()?;
            let issuer = issuer_address(&chain, &issuer)?;
            let gas = chain.accept_issuer(registry, issuer).map_err(classify)?;
            println!(
                "{:#x} now anchors for {} ({gas} gas)",
                chain.sender().unwrap_or_default(),
                zkcred_chain::did::pkh(chain.chain_id(), issuer)
            );
        }
    }
    Ok(())
}

/// `zkcred export` subcommands.
#[derive(Subcommand)]
pub enum Export {
    /// Render the Solidity verifier of a verifying key (compile it beside contracts/src).
    Solidity {
        /// The keys directory.
        #[arg(long)]
        keys: PathBuf,
        /// Where to write ZkcredVerifier.sol.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs an `export` subcommand.
pub fn export(e: Export) -> Result<()> {
    match e {
        Export::Solidity { keys, out } => {
            let vk = zkcred_verifier::keys::read_verifying_key(&keys).map_err(malformed)?;
            files::write_public(&out, &zkcred_chain::render::render_verifier(&vk))?;
            println!(
                "verifier for circuit {} written to {}",
                vk.circuit_id(),
                out.display()
            );
        }
    }
    Ok(())
}
