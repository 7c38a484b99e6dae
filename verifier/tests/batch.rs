//! Batch verification's soundness and agreement with the single verifier, on ark-groth16 proofs
//! of 34-input statements (the `Echo` toy circuit, the shape of zkcred's statement).

mod common;

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{Field, UniformRand};
use common::*;
use rand::seq::SliceRandom;
use rand::Rng;
use zkcred_verifier::batch::{verify_batch, BatchError};
use zkcred_verifier::groth16::{prepare_inputs, verify};
use zkcred_verifier::{Error, PreparedVerifyingKey, Proof};

type Item = (Proof, Vec<Fr>);

struct Fixture {
    pk: ArkProvingKey,
    vk: ArkVerifyingKey,
    pvk: PreparedVerifyingKey,
}

impl Fixture {
    fn new() -> Self {
        let (pk, vk) = setup(Echo::blank(34), 7);
        Self {
            pvk: our_key(&vk).prepare(),
            pk,
            vk,
        }
    }

    /// `n` valid proofs of random 34-input statements: half small integers (as zkcred's
    /// policy inputs are), half full field elements (roots, nullifiers, hashes).
    fn honest(&self, n: usize, seed: u64) -> Vec<Item> {
        let mut rng = rng(seed);
        (0..n)
            .map(|i| {
                let inputs: Vec<Fr> = (0..34)
                    .map(|j| match j % 2 {
                        0 => Fr::from(rng.gen::<u32>()),
                        _ => Fr::rand(&mut rng),
                    })
                    .collect();
                let proof = prove(&self.pk, Echo::of(&inputs), seed * 1000 + i as u64);
                assert!(ark_verifies(&self.vk, &proof, &inputs));
                (our_proof(&proof), inputs)
            })
            .collect()
    }

    fn single_results(&self, items: &[Item]) -> Vec<bool> {
        (items.iter())
            .map(|(p, x)| verify(&self.pvk, p, x).is_ok())
            .collect()
    }

    fn invalid(&self, items: &[Item]) -> Vec<usize> {
        let outcome = verify_batch(&self.pvk, items).unwrap();
        assert_eq!(outcome.len(), items.len());
        outcome.invalid().to_vec()
    }
}

/// `p` with `A` replaced, through the validating constructor.
fn with_a(p: &Proof, a: G1Projective) -> Proof {
    Proof::new(a.into_affine(), p.b(), p.c()).unwrap()
}

/// `p` with `B` replaced.
fn with_b(p: &Proof, b: G2Projective) -> Proof {
    Proof::new(p.a(), b.into_affine(), p.c()).unwrap()
}

/// `p` with `C` replaced.
fn with_c(p: &Proof, c: G1Projective) -> Proof {
    Proof::new(p.a(), p.b(), c.into_affine()).unwrap()
}

/// Makes item `i` invalid in one of five ways (each keeps every point valid), and checks that
/// the single verifier rejects it.
fn spoil(pvk: &PreparedVerifyingKey, items: &mut [Item], i: usize) {
    let (g1, g2) = (G1Affine::generator(), G2Affine::generator());
    let other = items[(i + 1) % items.len()].0;
    let (proof, inputs) = &mut items[i];
    match i % 5 {
        0 => inputs[i % 34] += Fr::ONE,
        1 => *proof = with_a(proof, proof.a() + g1),
        2 => *proof = with_b(proof, proof.b() + g2),
        3 => *proof = with_c(proof, proof.c() + g1),
        _ => *proof = other,
    }
    assert!(matches!(
        verify(pvk, proof, inputs),
        Err(Error::InvalidProof)
    ));
}

#[test]
fn valid_batches_pass_and_agree_with_ark_groth16() {
    let f = Fixture::new();
    let items = f.honest(17, 1);
    for n in [2, 3, 8, 17] {
        let outcome = verify_batch(&f.pvk, &items[..n]).unwrap();
        assert!(outcome.all_valid(), "n = {n}");
        assert_eq!(outcome.len(), n);
        assert!(outcome.results().iter().all(|r| r.is_ok()));
        assert_eq!(outcome.into_result(), Ok(()));
    }
}

#[test]
fn empty_batches_and_batches_of_one() {
    let f = Fixture::new();
    let empty = verify_batch(&f.pvk, &[]).unwrap();
    assert!(empty.all_valid() && empty.is_empty() && empty.results().is_empty());

    let mut items = f.honest(2, 2);
    let one = verify_batch(&f.pvk, &items[..1]).unwrap();
    assert!(one.all_valid() && one.is_valid(0) && !one.is_valid(1));

    spoil(&f.pvk, &mut items, 1);
    let one = verify_batch(&f.pvk, &items[1..]).unwrap();
    assert_eq!(one.invalid(), [0]);
    assert!(matches!(one.results()[..], [Err(Error::InvalidProof)]));
    assert_eq!(
        one.into_result(),
        Err(BatchError {
            len: 1,
            invalid: vec![0]
        })
    );
}

#[test]
fn exactly_the_bad_proofs_are_named() {
    let f = Fixture::new();
    let honest = f.honest(32, 3);
    let cases: [&[usize]; 9] = [
        &[0],
        &[15],
        &[16],
        &[31],
        &[0, 31],
        &[5, 6],
        &[1, 2, 9, 17, 30],
        &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        &(0..32).collect::<Vec<_>>(),
    ];
    for bad in cases {
        let mut items = honest.clone();
        for &i in bad {
            spoil(&f.pvk, &mut items, i);
        }
        let outcome = verify_batch(&f.pvk, &items).unwrap();
        assert_eq!(outcome.invalid(), bad);
        let e = outcome.clone().into_result().unwrap_err();
        assert_eq!((e.len, &e.invalid[..]), (32, bad));
        for (i, r) in outcome.results().iter().enumerate() {
            assert_eq!(r.is_ok(), !bad.contains(&i), "item {i}");
            assert_eq!(outcome.is_valid(i), !bad.contains(&i), "item {i}");
        }
    }
    // Odd sizes split unevenly; every position is still found.
    for n in [3, 5, 7] {
        for i in 0..n {
            let mut items = honest[..n].to_vec();
            spoil(&f.pvk, &mut items, i);
            assert_eq!(f.invalid(&items), [i], "n = {n}");
        }
    }
}

/// The batch equation with every coefficient 1: what a verifier without randomness would check.
fn naive_batch_check(pvk: &PreparedVerifyingKey, items: &[Item]) -> bool {
    let vk = pvk.vk();
    let vk_x: G1Projective = (items.iter())
        .map(|(_, x)| prepare_inputs(vk, x).unwrap())
        .sum();
    let c: G1Projective = items.iter().map(|(p, _)| p.c().into_group()).sum();
    let mut g1: Vec<G1Affine> = items.iter().map(|(p, _)| p.a()).collect();
    let mut g2: Vec<G2Affine> = items.iter().map(|(p, _)| p.b()).collect();
    g1.extend([(-vk_x).into_affine(), (-c).into_affine()]);
    g2.extend([*vk.gamma_g2(), *vk.delta_g2()]);
    Bn254::multi_pairing(g1, g2) == *pvk.alpha_beta() * Fr::from(items.len() as u64)
}

#[test]
fn invalid_proofs_that_cancel_under_fixed_coefficients_are_rejected() {
    let f = Fixture::new();
    let honest = f.honest(8, 4);
    let p = (G1Affine::generator() * Fr::from(987654321u64)).into_affine();
    let (i, j) = (2, 5);

    // 1. C_i + P and C_j - P: the sum of the C's is unchanged.
    let mut shifted_c = honest.clone();
    shifted_c[i].0 = with_c(&shifted_c[i].0, shifted_c[i].0.c() + p);
    shifted_c[j].0 = with_c(&shifted_c[j].0, shifted_c[j].0.c() - p);
    // 2. Two proofs' public inputs swapped: the sum of the vk_x's is unchanged.
    let mut swapped = honest.clone();
    let (xi, xj) = (swapped[i].1.clone(), swapped[j].1.clone());
    swapped[i].1 = xj;
    swapped[j].1 = xi;
    // 3. One valid proof twice, as A + P and A - P with the same B:
    //    e(A + P, B)·e(A - P, B) = e(A, B)².
    let mut shifted_a = honest.clone();
    shifted_a[j] = shifted_a[i].clone();
    shifted_a[i].0 = with_a(&shifted_a[i].0, shifted_a[i].0.a() + p);
    shifted_a[j].0 = with_a(&shifted_a[j].0, shifted_a[j].0.a() - p);
    // 4. The same with A scaled: k·A and (2 - k)·A.
    let k = Fr::from(1234567u64);
    let mut scaled_a = honest.clone();
    scaled_a[j] = scaled_a[i].clone();
    scaled_a[i].0 = with_a(&scaled_a[i].0, scaled_a[i].0.a() * k);
    scaled_a[j].0 = with_a(&scaled_a[j].0, scaled_a[j].0.a() * (Fr::from(2u64) - k));

    for (name, items) in [
        ("shifted C", shifted_c),
        ("swapped inputs", swapped),
        ("shifted A", shifted_a),
        ("scaled A", scaled_a),
    ] {
        assert!(naive_batch_check(&f.pvk, &honest));
        // Both proofs are invalid on their own, yet the fixed-coefficient check accepts the
        // batch ...
        assert_eq!(
            f.single_results(&items).iter().filter(|ok| !**ok).count(),
            2
        );
        assert!(naive_batch_check(&f.pvk, &items), "{name}");
        // ... and random coefficients reject it, naming both, every time.
        for _ in 0..4 {
            assert_eq!(f.invalid(&items), [i, j], "{name}");
        }
        // Also when they are the whole batch.
        let pair = vec![items[i].clone(), items[j].clone()];
        assert!(naive_batch_check(&f.pvk, &pair), "{name}");
        assert_eq!(f.invalid(&pair), [0, 1], "{name}");
    }
}

#[test]
fn a_rerandomised_proof_is_valid_in_a_batch_too() {
    // Groth16 proofs are malleable: (k·A, k⁻¹·B, C) verifies whenever (A, B, C) does. The batch
    // verifier must agree with the single one about it.
    let f = Fixture::new();
    let mut items = f.honest(4, 5);
    let k = Fr::from(31337u64);
    let p = items[1].0;
    items[1].0 = Proof::new(
        (p.a() * k).into_affine(),
        (p.b() * k.inverse().unwrap()).into_affine(),
        p.c(),
    )
    .unwrap();
    assert!(f.single_results(&items).iter().all(|ok| *ok));
    assert!(verify_batch(&f.pvk, &items).unwrap().all_valid());
}

#[test]
fn batches_agree_with_single_verification_on_random_subsets() {
    let f = Fixture::new();
    let mut pool = f.honest(32, 6);
    let mut rng = rng(60);
    for i in 0..pool.len() {
        if rng.gen_bool(0.2) {
            spoil(&f.pvk, &mut pool, i);
        }
    }
    for round in 0..20 {
        let size = rng.gen_range(0..=pool.len());
        let mut items: Vec<Item> = pool.choose_multiple(&mut rng, size).cloned().collect();
        items.shuffle(&mut rng);
        let single = f.single_results(&items);
        let batch: Vec<bool> = (verify_batch(&f.pvk, &items).unwrap().results())
            .iter()
            .map(|r| r.is_ok())
            .collect();
        assert_eq!(batch, single, "round {round}, {size} items");
    }
}

#[test]
fn a_batch_item_with_the_wrong_number_of_inputs_is_malformed() {
    let f = Fixture::new();
    let mut items = f.honest(3, 8);
    items[2].1.pop();
    let e = verify_batch(&f.pvk, &items).unwrap_err();
    assert!(e.is_malformed(), "{e}");
    assert!(matches!(
        &e,
        Error::BatchItem { index: 2, source }
            if matches!(**source, Error::PublicInputCount { expected: 34, found: 33, .. })
    ));
    assert_eq!(
        e.to_string(),
        "batch item #2: the public input list has 33 public inputs, expected 34"
    );
}
