//! `zkcred demo --chain`: the on-chain flow on a throwaway anvil chain.
//!
//! anvil → dev keys → accounts → deploy the registry, the verifier rendered from the keys and a
//! gate for "adult-realname" → issue two people → anchor the root on chain → publish the tree
//! on the chain's anchors, wallets sync → Alice proves for her account; Mallory front-runs the
//! proof and is refused → Alice is accepted (gas) → her second account is refused → Bob is
//! accepted (gas of a later proof of the day) → an off-chain verifier reading the chain agrees
//! → Carol proves, the issuer revokes her and re-anchors → her proof against the old root is
//! refused once the chain's clock passes the root window.

use crate::cmd::demo::{date_years_ago, issue_into_wallet, prove_from, step};
use crate::cmd::{chain, prove, setup, verify};
use anyhow::{bail, Context as _, Result};
use std::path::Path;
use zkcred_chain::alloy_primitives::U256;
use zkcred_chain::anvil::{find_anvil, Anvil};
use zkcred_chain::gate::GatePolicy;
use zkcred_chain::{Chain, ChainError, EthKey, GateCall};
use zkcred_core::encoding::fr_to_string;
use zkcred_holder::{Anchors, Source, Wallet};
use zkcred_issuer::IssuerDb;
use zkcred_verifier::{Context, Request};

/// Runs the chain demo in `dir`.
pub fn run(dir: &Path) -> Result<()> {
    if find_anvil().is_none() {
        println!(
            "SKIPPED: zkcred demo --chain needs anvil: run contracts/install.sh (or set \
             ZKCRED_ANVIL to an anvil binary)"
        );
        return Ok(());
    }
    step(1, "Start a local chain (anvil) on a loopback port");
    let anvil = Anvil::start()?;
    let rpc = anvil.endpoint();
    let reader = Chain::connect(rpc, None)?;
    println!("    {rpc}, chain id {}", reader.chain_id());

    step(2, "Trusted setup (single-party dev keys)");
    let keys = dir.join("keys");
    let id = setup::dev(&keys)?;
    println!("    circuit_id {id}");

    step(
        3,
        "Accounts: a platform, an issuer, three holders' accounts and Mallory",
    );
    let names = ["platform", "issuer", "alice", "bob", "carol", "mallory"];
    let mut accounts = Vec::new();
    for name in names {
        let key = EthKey::generate();
        key.write_new(&dir.join(format!("{name}.ethkey")))?;
        reader.set_balance(key.address(), U256::from(10u128.pow(20)))?;
        println!("    {name}: {:#x}", key.address());
        accounts.push(Chain::connect(rpc, Some(&key))?);
    }
    let [platform, issuer_acct, alice, bob, carol, mallory] = &accounts[..] else {
        unreachable!("six accounts")
    };

    step(
        4,
        "Platform: deploy the registry, the verifier for these keys and a gate for \
         \"adult-realname\"",
    );
    let registry = platform.deploy_registry(zkcred_chain::DEFAULT_WINDOW_SECS)?;
    let (artifact, circuit_id) = chain::verifier_artifact(&keys, None)?;
    let verifier = platform.deploy_verifier(&artifact, &circuit_id)?;
    let policy = crate::cmd::request::read_policy("adult-realname")?;
    let gate_policy = GatePolicy::new(&policy)?;
    let issuer_address = issuer_acct.sender().unwrap_or_default();
    let gate = platform.deploy_gate(
        registry.address,
        verifier.address,
        issuer_address,
        "verified-creators",
        &gate_policy,
    )?;
    let info = reader.gate_info(gate.address)?;
    println!(
        "    registry {:#x} ({} gas), verifier {:#x} ({} gas), gate {:#x} ({} gas)",
        registry.address,
        registry.gas_used,
        verifier.address,
        verifier.gas_used,
        gate.address,
        gate.gas_used
    );
    println!("    the gate's scope: {}", info.scope);

    step(
        5,
        "Issuer: issue Alice, Bob and Carol into their wallets, anchor the root on chain",
    );
    let today = reader.head_date()?;
    let issuer_did = zkcred_chain::did::pkh(reader.chain_id(), issuer_address);
    let mut db = IssuerDb::init_chain_issuer(dir.join("issuer.db"), &issuer_did)?;
    let expiry = today
        .add_days(5 * 365)
        .map(|d| d.to_string())
        .unwrap_or_else(|| "2099-01-01".into());
    let mut wallets = Vec::new();
    for (short, name, years) in [
        ("alice", "张伟", 34),
        ("bob", "李娜", 25),
        ("carol", "Carol Example", 40),
    ] {
        let birth = date_years_ago(today, years, 0);
        let (wallet, index) = issue_into_wallet(&mut db, dir, short, name, &birth, &expiry, &keys)?;
        wallets.push((wallet, index));
    }
    let gas = issuer_acct.anchor(registry.address, db.root())?;
    println!(
        "    root {} anchored by {issuer_did} ({gas} gas)",
        fr_to_string(&db.root())
    );

    step(
        6,
        "Issuer publishes the tree; wallets sync and check the root on chain",
    );
    let tree = dir.join("tree");
    let history = reader.history(registry.address, issuer_address)?;
    db.publish_on_anchors(&history, &tree)?;
    for (wallet, _) in &wallets {
        zkcred_holder::sync(
            wallet,
            &Source::Dir(tree.clone()),
            Anchors::Given(history.clone()),
        )?;
    }
    println!(
        "    synced against the registry's history ({} anchor)",
        history.len()
    );

    let (prover, circuit_id) = prove::load_prover(&keys)?;
    let prove_with = |wallet: &Wallet, req: &Request| prove_from(wallet, &prover, &circuit_id, req);
    let request_for = |account: &Chain| {
        reader.gate_request(gate.address, account.sender().unwrap_or_default(), None)
    };

    step(7, "Alice proves the gate's request for her account");
    let req = request_for(alice)?;
    println!(
        "    scope {}, message {} (her account)",
        req.scope(),
        req.message()
    );
    let envelope = prove_with(&wallets[0].0, &req)?;
    let call = GateCall::from_envelope(&envelope)?;

    step(
        8,
        "Mallory copies the proof from the mempool and submits it first",
    );
    refused(mallory.submit(gate.address, &call), "ProofInvalid")?;

    step(
        9,
        "Alice submits it: the gate checks root, date, nullifier and proof",
    );
    let first = alice.submit(gate.address, &call)?;
    println!(
        "    accepted: nullifier {} now belongs to {:#x} ({} gas, the first proof of the day \
         and root folds their inputs)",
        fr_to_string(&first.nullifier),
        alice.sender().unwrap_or_default(),
        first.gas_used
    );

    step(10, "Alice tries a second account: the same nullifier");
    let second = prove_with(&wallets[0].0, &request_for(mallory)?)?;
    refused(
        mallory.submit(gate.address, &GateCall::from_envelope(&second)?),
        "NullifierUsed",
    )?;

    step(11, "Bob proves for his account");
    let bob_req = request_for(bob)?;
    let bob_envelope = prove_with(&wallets[1].0, &bob_req)?;
    let later = bob.submit(gate.address, &GateCall::from_envelope(&bob_envelope)?)?;
    println!(
        "    accepted ({} gas: a later proof of the day pays for nullifier and message only)",
        later.gas_used
    );

    step(12, "An off-chain verifier reading the same registry agrees");
    let pvk = verify::load_key(Some(&keys), None)?;
    let now = reader.head_time()?;
    let ctx = Context {
        anchors: &history,
        now_date: today,
        now_unix: now,
        window: reader.window(registry.address)?,
    };
    let v = verify::verify_one(&req, &envelope, &pvk, &ctx, None)?;
    verify::report(&v);

    step(
        13,
        "Carol proves; the issuer revokes her and re-anchors; the chain's clock passes one \
         root window",
    );
    let pending = prove_with(&wallets[2].0, &request_for(carol)?)?;
    db.revoke(wallets[2].1 as u64)?;
    let gas = issuer_acct.anchor(registry.address, db.root())?;
    println!("    new root anchored ({gas} gas)");
    reader.advance_time(zkcred_chain::DEFAULT_WINDOW_SECS + 1)?;
    refused(
        carol.submit(gate.address, &GateCall::from_envelope(&pending)?),
        "RootNotValid",
    )?;
    println!("\nchain demo complete: files in {}", dir.display());
    Ok(())
}

/// Prints a refusal, or fails the demo if the gate accepted or refused for another reason.
fn refused<T>(outcome: zkcred_chain::Result<T>, expected: &str) -> Result<()> {
    match outcome {
        Ok(_) => bail!("the gate accepted what it should refuse ({expected})"),
        Err(ChainError::Reverted { reason, .. }) if reason.name() == expected => {
            println!("    refused by the gate: {reason}");
            Ok(())
        }
        Err(e) => Err(e).context(format!("expected the gate to refuse with {expected}")),
    }
}
