//! Shared fixtures for zkcred's criterion benchmarks.
//!
//! [`Fixture::new`] builds a credential in a depth-16 tree and a statement that exercises every
//! predicate (ranges, a set, a disclosure), with fixed seeds so runs are comparable.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use ark_bn254::Fr;
use ark_std::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkcred_core::credential::{leaf_commitment, Attributes, HolderSecret};
use zkcred_core::date::Date;
use zkcred_core::policy::compile;
use zkcred_core::schema::Schema;
use zkcred_core::scope::scope_hash;
use zkcred_core::statement::{PublicInputs, Witness};
use zkcred_core::tree::SparseTree;

/// A provable statement with all predicates.
pub struct Fixture {
    /// Public inputs.
    pub public: PublicInputs,
    /// The holder's witness.
    pub witness: Witness,
}

impl Fixture {
    /// The fixed benchmark statement.
    pub fn new() -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        let secret = HolderSecret::random(&mut rng);
        let attributes =
            Attributes::new([1, 20000101, 20310101, 156, 110105, 1, 77, 0].map(Fr::from))
                .expect("numeric attributes");
        let salt = Fr::rand(&mut rng);
        let mut tree = SparseTree::new();
        for i in 0..16 {
            tree.set(i, Fr::rand(&mut rng));
        }
        let index = 1_234_567;
        tree.set(
            index,
            leaf_commitment(secret.public_key(), &attributes, salt),
        );
        let policy = serde_json::json!({
            "real_name_verified": {"$eq": 1}, "birth_date": {"$lte": "today-18y"},
            "expiry_date": {"$gte": "today"}, "nationality": {"$in": [156, 344, 446]},
            "region": {"$between": [110000, 119999]}, "disclose": ["region"]});
        let policy = compile(
            &policy,
            &Schema::identity_v1(),
            Date::parse("2026-11-24").expect("date"),
        )
        .expect("policy");
        let witness = Witness {
            path: tree.path(index),
            secret,
            attributes,
            salt,
            name: None,
        };
        let scope = scope_hash("bench.example/verified");
        let public = witness.public_inputs(tree.root(), scope, scope_hash("nonce"), policy);
        Self { public, witness }
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}
