//! Talking to a chain: deploying the contracts, anchoring, reading root histories, building a
//! gate's request and submitting proofs to it.
//!
//! Every call blocks: the client owns a single-threaded tokio runtime and drives alloy's
//! asynchronous provider on it, so the CLI and tests stay synchronous.

use crate::bindings::{IZkcredVerifier, RootRegistry, ZkcredGate};
use crate::error::{ChainError, GateRefusal, Result};
use crate::gate::GatePolicy;
use crate::key::EthKey;
use crate::words;
use alloy::network::EthereumWallet;
use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::TransactionReceipt;
use zkcred_core::anchor::AnchorEntry;
use zkcred_core::date::Date;
use zkcred_core::statement::{index, NUM_PUBLIC_INPUTS};
use zkcred_core::Fr;
use zkcred_verifier::{ProofEnvelope, Request};

/// A deployed contract and what deploying it cost.
#[derive(Clone, Copy, Debug)]
pub struct Deployed {
    /// Its address.
    pub address: Address,
    /// Gas used by the deployment transaction.
    pub gas_used: u64,
}

/// A proof a gate accepted.
#[derive(Clone, Copy, Debug)]
pub struct Accepted {
    /// The nullifier it recorded.
    pub nullifier: Fr,
    /// Gas used by the transaction.
    pub gas_used: u64,
}

/// What a gate holds.
#[derive(Clone, Debug)]
pub struct GateInfo {
    /// The registry it reads roots from.
    pub registry: Address,
    /// The verifier it copied its key from.
    pub verifier: Address,
    /// The issuer it accepts.
    pub issuer: Address,
    /// The account that deployed it.
    pub platform: Address,
    /// The scope string.
    pub scope: String,
    /// The policy JSON.
    pub policy: serde_json::Value,
    /// The circuit id of its key.
    pub circuit_id: String,
}

/// A proof as the gate takes it.
#[derive(Clone, Debug)]
pub struct GateCall {
    /// `A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y`.
    pub proof: [U256; 8],
    /// The root.
    pub root: U256,
    /// The nullifier.
    pub nullifier: U256,
    /// The request date as `YYYYMMDD`.
    pub date: U256,
    /// The disclosed values in slot order.
    pub disclosed: Vec<U256>,
}

impl GateCall {
    /// The call answering `envelope`.
    pub fn from_envelope(envelope: &ProofEnvelope) -> Result<Self> {
        if envelope.public.len() != NUM_PUBLIC_INPUTS {
            return Err(ChainError::Envelope(format!(
                "{} public inputs where {NUM_PUBLIC_INPUTS} were expected",
                envelope.public.len()
            )));
        }
        let flags = zkcred_core::encoding::fr_to_u64(&envelope.public[index::FLAGS])
            .ok_or_else(|| ChainError::Envelope("flags are not a small integer".into()))?;
        let disclosed = (0..8)
            .filter(|j| flags >> j & 1 == 1)
            .map(|j| words::fr(&envelope.public[index::DISCLOSED + j]))
            .collect();
        Ok(Self {
            proof: words::proof(&envelope.proof),
            root: words::fr(&envelope.root),
            nullifier: words::fr(&envelope.nullifier),
            date: U256::from(envelope.date.yyyymmdd()),
            disclosed,
        })
    }
}

/// The scope string a gate deployed by `platform` with `label` has on chain `chain_id`.
pub fn gate_scope(chain_id: u64, platform: Address, label: &str) -> String {
    format!("{}/{label}", crate::did::pkh(chain_id, platform))
}

/// The message a proof for a gate must carry when `account` submits it: the account's
/// lowercase `0x…` hex string (the gate hashes it like any message).
pub fn gate_message(account: Address) -> String {
    format!("{account:#x}")
}

/// How long a command waits for a sent transaction to be mined.
pub const RECEIPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(180);

/// A connection to one chain, optionally with a key that signs transactions.
pub struct Chain {
    rt: tokio::runtime::Runtime,
    provider: DynProvider,
    chain_id: u64,
    sender: Option<Address>,
    rpc: String,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("rpc", &self.rpc)
            .field("chain_id", &self.chain_id)
            .field("sender", &self.sender)
            .finish_non_exhaustive()
    }
}

fn rpc_error(e: impl std::fmt::Display) -> ChainError {
    ChainError::Rpc(e.to_string())
}

fn fr_of(x: U256) -> Result<Fr> {
    words::to_fr(x).ok_or_else(|| ChainError::Rpc(format!("{x} is not a field element")))
}

impl Chain {
    /// Connects to the JSON-RPC endpoint `rpc` (`http://…`); with `key`, transactions are
    /// signed by it. zkcred is built without a TLS stack: a remote node is reached through a
    /// TLS-terminating proxy or a node of one's own on loopback (docs/chain.md).
    pub fn connect(rpc: &str, key: Option<&EthKey>) -> Result<Self> {
        let url: alloy::transports::http::reqwest::Url = rpc
            .parse()
            .map_err(|e| ChainError::Usage(format!("--rpc {rpc:?}: {e}")))?;
        if url.scheme() != "http" {
            return Err(ChainError::Usage(format!(
                "--rpc {rpc:?}: only http:// endpoints are supported (zkcred has no TLS stack; \
                 reach a remote node through a local node or a TLS-terminating proxy)"
            )));
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ChainError::Rpc(format!("starting the runtime: {e}")))?;
        let (provider, sender) = match key {
            Some(k) => {
                let signer = k.signer();
                let sender = signer.address();
                // The nonce is read from the node for every transaction: a cached nonce would
                // be consumed by a transaction the node refused at estimation, and every later
                // one from this process would wait behind a gap forever. The same key may also
                // sign from other processes (other `zkcred` commands).
                let p = ProviderBuilder::new()
                    .disable_recommended_fillers()
                    .with_gas_estimation()
                    .with_simple_nonce_management()
                    .fetch_chain_id()
                    .wallet(EthereumWallet::from(signer))
                    .connect_http(url);
                (p.erased(), Some(sender))
            }
            None => (ProviderBuilder::new().connect_http(url).erased(), None),
        };
        let chain_id = rt
            .block_on(std::future::IntoFuture::into_future(
                provider.get_chain_id(),
            ))
            .map_err(|e| ChainError::Rpc(format!("{rpc}: {e}")))?;
        Ok(Self {
            rt,
            provider,
            chain_id,
            sender,
            rpc: rpc.into(),
        })
    }

    fn run<F: std::future::IntoFuture>(&self, f: F) -> F::Output {
        self.rt.block_on(f.into_future())
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The signing account, if any.
    pub fn sender(&self) -> Option<Address> {
        self.sender
    }

    fn require_sender(&self) -> Result<Address> {
        self.sender
            .ok_or_else(|| ChainError::Usage("this needs a signing key (--signer)".into()))
    }

    /// The timestamp of the latest block.
    pub fn head_time(&self) -> Result<u64> {
        let block = self
            .run(
                self.provider
                    .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest),
            )
            .map_err(rpc_error)?
            .ok_or_else(|| ChainError::Rpc("no latest block".into()))?;
        Ok(block.header.timestamp)
    }

    /// The chain's date (UTC) at its latest block.
    pub fn head_date(&self) -> Result<Date> {
        let t = self.head_time()?;
        Date::from_days((t / 86400) as i64)
            .ok_or_else(|| ChainError::Rpc(format!("block time {t} is not a date")))
    }

    fn receipt(
        &self,
        pending: std::result::Result<
            alloy::providers::PendingTransactionBuilder<alloy::network::Ethereum>,
            alloy::contract::Error,
        >,
        what: &'static str,
    ) -> Result<TransactionReceipt> {
        let pending = pending
            .map_err(|e| ChainError::from_contract(what, e))?
            .with_timeout(Some(RECEIPT_TIMEOUT));
        let hash = *pending.tx_hash();
        let receipt = self.run(pending.get_receipt()).map_err(|e| {
            ChainError::Rpc(format!(
                "{what}: transaction {hash} has no receipt ({e}); it may still be mined: look it \
                 up before sending it again"
            ))
        })?;
        if !receipt.status() {
            return Err(ChainError::Reverted {
                what,
                reason: GateRefusal::Unknown(format!(
                    "transaction {} reverted",
                    receipt.transaction_hash
                )),
            });
        }
        Ok(receipt)
    }

    fn deployed(&self, receipt: TransactionReceipt) -> Result<Deployed> {
        let address = receipt
            .contract_address
            .ok_or_else(|| ChainError::Rpc("the deployment receipt names no contract".into()))?;
        Ok(Deployed {
            address,
            gas_used: receipt.gas_used,
        })
    }

    /// Deploys a `RootRegistry` whose replaced roots stay valid for `window` seconds.
    pub fn deploy_registry(&self, window: u64) -> Result<Deployed> {
        self.require_sender()?;
        let b = RootRegistry::deploy_builder(&self.provider, window);
        let r = self.receipt(self.run(b.send()), "deploying the registry")?;
        self.deployed(r)
    }

    /// Deploys a rendered verifier from its compiled artifact and checks that it names
    /// `circuit_id`.
    pub fn deploy_verifier(
        &self,
        artifact: &crate::Artifact,
        circuit_id: &str,
    ) -> Result<Deployed> {
        self.require_sender()?;
        let b = alloy::contract::RawCallBuilder::new_raw_deploy(
            &self.provider,
            Bytes::from(artifact.bytecode.clone()),
        );
        let r = self.receipt(self.run(b.send()), "deploying the verifier")?;
        let d = self.deployed(r)?;
        let named = self.verifier_circuit_id(d.address)?;
        if named != circuit_id {
            return Err(ChainError::WrongVerifier {
                expected: circuit_id.into(),
                found: named,
            });
        }
        Ok(d)
    }

    /// The circuit id a verifier contract names.
    pub fn verifier_circuit_id(&self, verifier: Address) -> Result<String> {
        let v = IZkcredVerifier::new(verifier, &self.provider);
        let id = self
            .run(v.circuitId().call())
            .map_err(|e| ChainError::from_contract("reading the verifier", e))?;
        Ok(hex::encode(id))
    }

    /// Deploys a gate for `policy` with scope label `label`, accepting roots of `issuer`.
    pub fn deploy_gate(
        &self,
        registry: Address,
        verifier: Address,
        issuer: Address,
        label: &str,
        policy: &GatePolicy,
    ) -> Result<Deployed> {
        self.require_sender()?;
        let constants = policy.constant_inputs().map(|x| words::fr(&x));
        let date_inputs = policy
            .date_inputs
            .iter()
            .map(|&(i, clamp)| U256::from(i as u64) | U256::from(clamp) << 8)
            .collect();
        let terms = policy
            .terms
            .iter()
            .map(|t| U256::from(t.packed()))
            .collect();
        let b = ZkcredGate::deploy_builder(
            &self.provider,
            registry,
            verifier,
            issuer,
            label.to_string(),
            policy.policy.to_string(),
            constants,
            date_inputs,
            terms,
        );
        let r = self.receipt(self.run(b.send()), "deploying the gate")?;
        self.deployed(r)
    }

    /// Anchors `root` as the signing account's issuer's current root; returns the gas used.
    pub fn anchor(&self, registry: Address, root: Fr) -> Result<u64> {
        self.anchor_word(registry, words::fr(&root))
    }

    /// [`Chain::anchor`] of any 256-bit word: the registry itself refuses 0 and words not below
    /// the scalar field order.
    pub fn anchor_word(&self, registry: Address, root: U256) -> Result<u64> {
        self.require_sender()?;
        let reg = RootRegistry::new(registry, &self.provider);
        let call = reg.anchor(root);
        let r = self.receipt(self.run(call.send()), "anchoring")?;
        Ok(r.gas_used)
    }

    /// First step of moving the signing account's issuer to the key of `next` (which accepts
    /// with [`Chain::accept_issuer`]); returns the gas used.
    pub fn transfer_issuer(&self, registry: Address, next: Address) -> Result<u64> {
        self.require_sender()?;
        let reg = RootRegistry::new(registry, &self.provider);
        let r = self.receipt(
            self.run(reg.transferIssuer(next).send()),
            "transferring the issuer",
        )?;
        Ok(r.gas_used)
    }

    /// Second step: the signing account takes over `issuer`'s key; returns the gas used.
    pub fn accept_issuer(&self, registry: Address, issuer: Address) -> Result<u64> {
        self.require_sender()?;
        let reg = RootRegistry::new(registry, &self.provider);
        let r = self.receipt(
            self.run(reg.acceptIssuer(issuer).send()),
            "accepting the issuer",
        )?;
        Ok(r.gas_used)
    }

    /// The issuer the signing account anchors for.
    pub fn issuer_of(&self, registry: Address, account: Address) -> Result<Address> {
        let reg = RootRegistry::new(registry, &self.provider);
        self.run(reg.issuerOf(account).call())
            .map_err(|e| ChainError::from_contract("reading the registry", e))
    }

    /// The registry's root window in seconds.
    pub fn window(&self, registry: Address) -> Result<u64> {
        let reg = RootRegistry::new(registry, &self.provider);
        self.run(reg.window().call())
            .map_err(|e| ChainError::from_contract("reading the registry", e))
    }

    /// Whether the registry accepts `root` for `issuer` now (what a gate asks).
    pub fn is_valid_root(&self, registry: Address, issuer: Address, root: Fr) -> Result<bool> {
        let reg = RootRegistry::new(registry, &self.provider);
        self.run(reg.isValidRoot(issuer, words::fr(&root)).call())
            .map_err(|e| ChainError::from_contract("reading the registry", e))
    }

    /// The issuer's whole anchoring history as ledger entries (`prev` empty): the list the
    /// verifier's window rule reads, the same rule the registry applies.
    pub fn history(&self, registry: Address, issuer: Address) -> Result<Vec<AnchorEntry>> {
        const PAGE: u64 = 512;
        let reg = RootRegistry::new(registry, &self.provider);
        let read = |e| ChainError::from_contract("reading the registry", e);
        let len: u64 = self
            .run(reg.historyLength(issuer).call())
            .map_err(read)?
            .try_into()
            .map_err(|_| ChainError::Rpc("history length above 2^64".into()))?;
        let mut out = Vec::with_capacity(len as usize);
        let did = crate::did::pkh(self.chain_id, issuer);
        let mut from = 0u64;
        while from < len {
            let page = self
                .run(
                    reg.history(issuer, U256::from(from), U256::from(PAGE))
                        .call(),
                )
                .map_err(read)?;
            if page.roots.is_empty() || page.roots.len() != page.times.len() {
                return Err(ChainError::Rpc(
                    "the registry returned a malformed page".into(),
                ));
            }
            for (root, time) in page.roots.iter().zip(&page.times) {
                out.push(AnchorEntry {
                    seq: out.len() as u64,
                    root: fr_of(*root)?,
                    time: *time,
                    prev: String::new(),
                    issuer: did.clone(),
                    sig: String::new(),
                });
            }
            from += page.roots.len() as u64;
        }
        Ok(out)
    }

    /// What the gate at `gate` holds.
    pub fn gate_info(&self, gate: Address) -> Result<GateInfo> {
        let g = ZkcredGate::new(gate, &self.provider);
        let read = |e| ChainError::from_contract("reading the gate", e);
        let policy: String = self.run(g.policy().call()).map_err(read)?;
        let policy = serde_json::from_str(&policy)
            .map_err(|e| ChainError::Rpc(format!("the gate's policy is not JSON: {e}")))?;
        Ok(GateInfo {
            registry: self.run(g.registry().call()).map_err(read)?,
            verifier: self.run(g.verifier().call()).map_err(read)?,
            issuer: self.run(g.issuer().call()).map_err(read)?,
            platform: self.run(g.platform().call()).map_err(read)?,
            scope: self.run(g.scope().call()).map_err(read)?,
            policy,
            circuit_id: hex::encode(self.run(g.circuitId().call()).map_err(read)?),
        })
    }

    /// The date-relative bounds the gate computes for `date`, by public input index.
    pub fn gate_date_bounds(&self, gate: Address, date: Date) -> Result<Vec<(usize, Fr)>> {
        let g = ZkcredGate::new(gate, &self.provider);
        let r = self
            .run(g.dateBoundsFor(U256::from(date.yyyymmdd())).call())
            .map_err(|e| ChainError::from_contract("reading the gate", e))?;
        r.inputs
            .iter()
            .zip(&r.values)
            .map(|(i, v)| Ok((i.to::<u64>() as usize, fr_of(*v)?)))
            .collect()
    }

    /// The request a holder proves for `gate` when `account` will submit the proof, dated
    /// `date` (the chain's date by default). Unsigned: its authority is the gate contract,
    /// read from the chain, whose scope the contract itself derives from its deployer.
    pub fn gate_request(
        &self,
        gate: Address,
        account: Address,
        date: Option<Date>,
    ) -> Result<Request> {
        let info = self.gate_info(gate)?;
        let expected = gate_scope(self.chain_id, info.platform, "");
        if !info.scope.starts_with(&expected) {
            return Err(ChainError::Rpc(format!(
                "the gate's scope {:?} is not under its deployer's {expected:?}",
                info.scope
            )));
        }
        let date = match date {
            Some(d) => d,
            None => self.head_date()?,
        };
        Request::new(
            info.policy,
            info.scope,
            gate_message(account),
            date,
            crate::did::pkh(self.chain_id, info.issuer),
            Some(info.circuit_id),
        )
        .map_err(|e| ChainError::Envelope(format!("the gate's request: {e}")))
    }

    /// The account a nullifier was accepted for, if any.
    pub fn gate_account_of(&self, gate: Address, nullifier: Fr) -> Result<Option<Address>> {
        let g = ZkcredGate::new(gate, &self.provider);
        let a = self
            .run(g.accountOf(words::fr(&nullifier)).call())
            .map_err(|e| ChainError::from_contract("reading the gate", e))?;
        Ok((a != Address::ZERO).then_some(a))
    }

    /// The message the gate expects in a proof `account` submits, as the gate computes it.
    pub fn gate_message_for(&self, gate: Address, account: Address) -> Result<U256> {
        let g = ZkcredGate::new(gate, &self.provider);
        self.run(g.messageFor(account).call())
            .map_err(|e| ChainError::from_contract("reading the gate", e))
    }

    /// Asks the rendered verifier at `verifier` (a view call) whether `proof` verifies for all
    /// 34 public inputs.
    pub fn verifier_check(
        &self,
        verifier: Address,
        proof: [U256; 8],
        inputs: [U256; NUM_PUBLIC_INPUTS],
    ) -> Result<bool> {
        let v = IZkcredVerifier::new(verifier, &self.provider);
        self.run(v.verifyProof(proof, inputs).call())
            .map_err(|e| ChainError::from_contract("calling the verifier", e))
    }

    /// Submits a proof to `gate` from the signing account.
    pub fn submit(&self, gate: Address, call: &GateCall) -> Result<Accepted> {
        self.require_sender()?;
        let g = ZkcredGate::new(gate, &self.provider);
        let c = g.verify(
            call.proof,
            call.root,
            call.nullifier,
            call.date,
            call.disclosed.clone(),
        );
        let r = self.receipt(self.run(c.send()), "verify")?;
        Ok(Accepted {
            nullifier: fr_of(call.nullifier)?,
            gas_used: r.gas_used,
        })
    }

    /// A development chain's RPC method (anvil): advance the clock by `secs` and mine a block.
    pub fn advance_time(&self, secs: u64) -> Result<()> {
        let p = &self.provider;
        self.run(async {
            p.raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (secs,))
                .await?;
            p.raw_request::<_, serde_json::Value>("evm_mine".into(), ())
                .await
        })
        .map_err(rpc_error)?;
        Ok(())
    }

    /// A development chain's RPC method (anvil): give `account` `wei`.
    pub fn set_balance(&self, account: Address, wei: U256) -> Result<()> {
        let p = &self.provider;
        self.run(p.raw_request::<_, serde_json::Value>("anvil_setBalance".into(), (account, wei)))
            .map_err(rpc_error)?;
        Ok(())
    }
}
