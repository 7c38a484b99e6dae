//! Fixtures shared by the circuit tests: a small tree holding the holder's credential, policies,
//! and the verdicts of the native check and the constraint system.
#![allow(dead_code)] // each test file uses its own part

pub mod mutate;

use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use ark_std::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkcred_circuits::CredentialCircuit;
use zkcred_core::credential::{leaf_commitment, Attributes, HolderSecret};
use zkcred_core::date::Date;
use zkcred_core::name::NameOpening;
use zkcred_core::policy::{compile, CompiledPolicy};
use zkcred_core::schema::Schema;
use zkcred_core::statement::{check_satisfaction, NameWitness, PublicInputs, Witness};
use zkcred_core::tree::SparseTree;
use zkcred_core::{name, scope::scope_hash, Fr};

/// The holder's leaf index.
pub const INDEX: u32 = 5;

/// A tree of a few credentials, one of which is the holder's.
pub struct Fixture {
    pub tree: SparseTree,
    pub witness: Witness,
}

pub fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(2026)
}

/// The holder's name and name salt.
pub const NAME: &str = "张伟";
pub const NAME_SALT: u64 = 42;

pub fn attrs(birth: u64, expiry: u64, region: u64) -> [Fr; 8] {
    let nc = name::name_commitment(NAME, Fr::from(NAME_SALT)).unwrap();
    [1, birth, expiry, 156, region, 1]
        .map(Fr::from)
        .into_iter()
        .chain([nc, Fr::from(0u64)])
        .collect::<Vec<_>>()
        .try_into()
        .unwrap()
}

/// The holder's credential at [`INDEX`]; with `twins`, the three other leaves of its level-0
/// group hold the same commitment (so the level-0 siblings all equal the leaf), else five
/// random leaves fill the tree.
fn build(values: [Fr; 8], twins: bool) -> Fixture {
    let mut rng = rng();
    let mut tree = SparseTree::new();
    let random_leaves: Vec<Fr> = (0..5).map(|_| Fr::rand(&mut rng)).collect();
    let secret = HolderSecret::random(&mut rng);
    let attributes = Attributes::new_unchecked(values);
    let salt = Fr::rand(&mut rng);
    let leaf = leaf_commitment(secret.public_key(), &attributes, salt);
    if twins {
        for i in [4, 6, 7] {
            tree.set(i, leaf);
        }
    } else {
        for (i, l) in random_leaves.into_iter().enumerate() {
            tree.set(i as u32, l);
        }
    }
    tree.set(INDEX, leaf);
    let path = tree.path(INDEX);
    Fixture {
        tree,
        witness: Witness {
            secret,
            attributes,
            salt,
            path,
            name: None,
        },
    }
}

pub fn fixture_with(values: [Fr; 8]) -> Fixture {
    build(values, false)
}

pub fn fixture() -> Fixture {
    fixture_with(attrs(20080229, 20310101, 110105))
}

/// [`fixture`] with the level-0 siblings equal to the holder's leaf.
pub fn twin_fixture() -> Fixture {
    build(attrs(20080229, 20310101, 110105), true)
}

pub fn statement(f: &Fixture, policy: CompiledPolicy, scope: &str) -> PublicInputs {
    statement_of(f, &f.witness, policy, scope)
}

/// The statement `w` proves under the fixture's root.
pub fn statement_of(f: &Fixture, w: &Witness, policy: CompiledPolicy, scope: &str) -> PublicInputs {
    w.public_inputs(
        f.tree.root(),
        scope_hash(scope),
        scope_hash("account:alice"),
        policy,
    )
}

/// The fixture's witness opening `name` (normally the holder's own, [`NAME`]) under the
/// fixture's name salt and the blinding value `t`.
pub fn named(f: &Fixture, name: &str, t: Fr) -> Witness {
    let mut w = f.witness.clone();
    let opening = NameOpening::new(name, t).unwrap();
    w.name = Some(NameWitness::new(&opening, Fr::from(NAME_SALT)));
    w
}

/// Real name verified, region and the name disclosed.
pub fn name_policy() -> CompiledPolicy {
    policy(
        serde_json::json!({"real_name_verified": {"$eq": 1}, "disclose": ["region", "name"]}),
        "2026-11-24",
    )
}

pub fn policy(p: serde_json::Value, today: &str) -> CompiledPolicy {
    compile(&p, &Schema::identity_v1(), Date::parse(today).unwrap()).unwrap()
}

pub fn full_policy() -> CompiledPolicy {
    policy(
        serde_json::json!({"real_name_verified": {"$eq": 1}, "birth_date": {"$lte": "today-18y"},
               "expiry_date": {"$gte": "today"}, "nationality": {"$in": [156, 344, 446]},
               "disclose": ["region"]}),
        "2026-11-24",
    )
}

/// Whether the constraint system accepts.
pub fn circuit_accepts(public: &PublicInputs, witness: &Witness) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let c = CredentialCircuit {
        public: public.clone(),
        witness: witness.clone(),
    };
    // Synthesis must succeed for any witness: a false statement shows as unsatisfied
    // constraints, never as a synthesis error that would make a rejection test pass vacuously.
    c.generate_constraints(cs.clone()).expect("synthesis");
    cs.is_satisfied().unwrap()
}

/// Both the native check and the circuit agree, and return the verdict.
pub fn verdict(public: &PublicInputs, witness: &Witness) -> bool {
    let native = check_satisfaction(public, witness).is_ok();
    assert_eq!(
        native,
        circuit_accepts(public, witness),
        "native and circuit disagree"
    );
    native
}
