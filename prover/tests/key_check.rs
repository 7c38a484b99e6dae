//! The prover does not trust its proving key: `Prover::new` refuses unsafe or inconsistent keys
//! (accepting honest ones, whose queries do have points at infinity), and a key that passes every
//! check but makes proofs that do not verify never yields a proof.

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_groth16::{Groth16, ProvingKey};
use ark_snark::SNARK;
use ark_std::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::OnceLock;
use zkcred_circuits::CredentialCircuit;
use zkcred_core::credential::{leaf_commitment, Attributes, HolderSecret};
use zkcred_core::date::Date;
use zkcred_core::policy::{compile, preset};
use zkcred_core::schema::Schema;
use zkcred_core::scope::scope_hash;
use zkcred_core::tree::SparseTree;
use zkcred_prover::{ProveError, Prover};
use zkcred_setup::keys::verifying_key;
use zkcred_verifier::VerifyingKey;

/// An honest key (ark-groth16's generator: random generators, random toxic waste).
fn honest() -> &'static ProvingKey<Bn254> {
    static PK: OnceLock<ProvingKey<Bn254>> = OnceLock::new();
    PK.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        Groth16::<Bn254>::circuit_specific_setup(CredentialCircuit::blank(), &mut rng)
            .unwrap()
            .0
    })
}

fn honest_vk() -> VerifyingKey {
    verifying_key(&honest().vk).unwrap()
}

/// `Prover::new` on `honest()` changed by `f`, paired with the honest verifying key.
fn with(f: impl FnOnce(&mut ProvingKey<Bn254>)) -> Result<Prover, ProveError> {
    let mut pk = honest().clone();
    f(&mut pk);
    Prover::new(pk, &honest_vk())
}

fn expect_unsafe(r: Result<Prover, ProveError>, needle: &str) {
    match r {
        Err(ProveError::UnsafeKey(m)) => assert!(m.contains(needle), "{needle:?} not in {m:?}"),
        Err(e) => panic!("expected an unsafe key ({needle}), got {e}"),
        Ok(_) => panic!("expected an unsafe key ({needle}), got a prover"),
    }
}

fn double1(p: &G1Affine) -> G1Affine {
    (*p + *p).into_affine()
}

#[test]
fn forgeable_deltas_are_refused() {
    let (g, h) = (G1Affine::generator(), G2Affine::generator());
    // δ = γ, consistently in both groups as far as the key shows.
    expect_unsafe(with(|pk| pk.vk.delta_g2 = pk.vk.gamma_g2), "vk_gamma_2");
    expect_unsafe(with(|pk| pk.vk.delta_g2 = -pk.vk.gamma_g2), "vk_gamma_2");
    // δ = ±1 on the standard generators: a setup without a secret contribution.
    for sign in [1i8, -1] {
        expect_unsafe(
            with(|pk| {
                (pk.delta_g1, pk.vk.delta_g2) = if sign > 0 { (g, h) } else { (-g, -h) };
            }),
            "G2 generator",
        );
    }
}

#[test]
fn points_at_infinity_are_refused() {
    let (o1, o2) = (G1Affine::zero(), G2Affine::zero());
    expect_unsafe(with(|pk| pk.delta_g1 = o1), "delta_g1");
    expect_unsafe(with(|pk| pk.beta_g1 = o1), "beta_g1");
    expect_unsafe(with(|pk| pk.vk.alpha_g1 = o1), "vk_alpha_1");
    expect_unsafe(with(|pk| pk.vk.beta_g2 = o2), "vk_beta_2");
    expect_unsafe(with(|pk| pk.vk.gamma_g2 = o2), "vk_gamma_2");
    expect_unsafe(with(|pk| pk.vk.delta_g2 = o2), "vk_delta_2");
    expect_unsafe(with(|pk| pk.vk.gamma_abc_g1[7] = o1), "IC[7]");
    expect_unsafe(with(|pk| pk.h_query[100] = o1), "h_query[100]");
    // The first instance variable after the constant, and a witness every key uses in A.
    expect_unsafe(with(|pk| pk.a_query[1] = o1), "a_query[1]");
    let used_in_b = honest()
        .b_g2_query
        .iter()
        .position(|p| !p.is_zero())
        .unwrap();
    expect_unsafe(
        with(|pk| pk.b_g1_query[used_in_b] = o1),
        &format!("b_g1_query[{used_in_b}]"),
    );
    expect_unsafe(
        with(|pk| pk.b_g2_query[used_in_b] = o2),
        &format!("b_g2_query[{used_in_b}]"),
    );
    expect_unsafe(with(|pk| pk.l_query[0] = o1), "l_query[0]");
}

#[test]
fn honest_keys_have_points_at_infinity_where_a_variable_is_unused() {
    // Variables that a matrix never uses have a zero polynomial there: an honest key has the
    // point at infinity for them, so refusing every point at infinity would refuse honest keys.
    let pk = honest();
    let zeros = |q: &[G1Affine]| q.iter().filter(|p| p.is_zero()).count();
    let b_zeros = pk.b_g2_query.iter().filter(|p| p.is_zero()).count();
    assert!(b_zeros > 0 && zeros(&pk.b_g1_query) == b_zeros);
    assert!(zeros(&pk.h_query) == 0);
    assert!(with(|_| {}).is_ok());
}

#[test]
fn inconsistent_keys_are_refused() {
    // δ·G and δ·H with different logarithms (likewise β).
    expect_unsafe(
        with(|pk| pk.delta_g1 = double1(&pk.delta_g1)),
        "different discrete logarithms",
    );
    expect_unsafe(
        with(|pk| pk.beta_g1 = double1(&pk.beta_g1)),
        "different discrete logarithms",
    );
    // A proving key paired with another verifying key.
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let mut other = honest().vk.clone();
    other.alpha_g1 = double1(&other.alpha_g1);
    let other = verifying_key(&other).unwrap();
    assert!(matches!(
        Prover::new(honest().clone(), &other),
        Err(ProveError::KeyPairMismatch("alpha_g1"))
    ));
    let mut ic = honest().vk.clone();
    ic.gamma_abc_g1[3] = (G1Projective::rand(&mut rng)).into_affine();
    let ic = verifying_key(&ic).unwrap();
    assert!(matches!(
        Prover::new(honest().clone(), &ic),
        Err(ProveError::KeyPairMismatch(part)) if part.starts_with("IC")
    ));
    // Queries of the wrong length.
    assert!(matches!(
        with(|pk| {
            pk.h_query.pop();
        }),
        Err(ProveError::KeyMismatch(_))
    ));
    assert!(matches!(
        with(|pk| {
            pk.b_g2_query.pop();
        }),
        Err(ProveError::KeyMismatch(_))
    ));
}

#[test]
fn a_key_whose_proofs_do_not_verify_never_yields_a_proof() {
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    let secret = HolderSecret::random(&mut rng);
    let attributes =
        Attributes::new([1, 19900101, 20310101, 156, 110105, 1, 7, 0].map(Fr::from)).unwrap();
    let salt = Fr::rand(&mut rng);
    let mut tree = SparseTree::new();
    tree.set(0, leaf_commitment(secret.public_key(), &attributes, salt));
    let policy = compile(
        &preset("adult-realname").unwrap(),
        &Schema::identity_v1(),
        Date::parse("2026-11-24").unwrap(),
    )
    .unwrap();
    let witness = zkcred_core::statement::Witness {
        path: tree.path(0),
        secret,
        attributes,
        salt,
        name: None,
    };
    let public = witness.public_inputs(tree.root(), scope_hash("p"), scope_hash("m"), policy);
    let honest_prover = with(|_| {}).unwrap();
    assert!(honest_prover.prove(&public, &witness, &mut rng).is_ok());
    // One H point moved: no structural check can see it, but the proofs are wrong.
    let broken = with(|pk| pk.h_query[5] = double1(&pk.h_query[5])).unwrap();
    assert!(matches!(
        broken.prove(&public, &witness, &mut rng),
        Err(ProveError::ProofDoesNotVerify)
    ));
}
