//! Cross-tests against ark-groth16: the same key bytes and circuit id, and the same accept /
//! reject decisions on proofs made by ark-groth16.

mod common;

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_serialize::CanonicalSerialize;
use common::*;
use sha2::{Digest, Sha256};
use zkcred_verifier::groth16::{prepare_inputs, verify};
use zkcred_verifier::{Error, Proof, VerifyingKey};

fn compressed<T: CanonicalSerialize>(t: &T) -> Vec<u8> {
    let mut v = Vec::new();
    t.serialize_compressed(&mut v).unwrap();
    v
}

#[test]
fn key_bytes_and_circuit_id_equal_ark_groth16s() {
    for (vk, n) in [
        (setup(Cubic::default(), 1).1, 3),
        (setup(Echo::blank(33), 2).1, 33),
    ] {
        let ours = our_key(&vk);
        let ark_bytes = compressed(&vk);
        assert_eq!(ours.to_bytes(), ark_bytes);
        assert_eq!(ark_bytes.len(), 32 + 3 * 64 + 8 + 32 * (n + 1));
        assert_eq!(ours.circuit_id(), hex::encode(Sha256::digest(&ark_bytes)));
        assert_eq!(ours.num_public_inputs(), n);
        assert_eq!(ours.prepare().circuit_id(), ours.circuit_id());
        assert_eq!(ours.ic(), &vk.gamma_abc_g1[..]);
        assert_eq!(
            (
                ours.alpha_g1(),
                ours.beta_g2(),
                ours.gamma_g2(),
                ours.delta_g2()
            ),
            (&vk.alpha_g1, &vk.beta_g2, &vk.gamma_g2, &vk.delta_g2)
        );
        assert_eq!(
            ours.prepare().alpha_beta(),
            &Bn254::pairing(vk.alpha_g1, vk.beta_g2)
        );
    }
    // Different setups give different ids.
    let a = our_key(&setup(Cubic::default(), 1).1).circuit_id();
    let b = our_key(&setup(Cubic::default(), 3).1).circuit_id();
    assert_ne!(a, b);
}

#[test]
fn proof_bytes_equal_ark_groth16s() {
    let (pk, _) = setup(Cubic::default(), 1);
    let proof = prove(&pk, Cubic::witness(3, 7), 10);
    let bytes = compressed(&proof);
    assert_eq!(bytes.len(), 128);
    assert_eq!(our_proof(&proof).to_bytes(), bytes);
    assert_eq!(Proof::from_bytes(&bytes).unwrap(), our_proof(&proof));
}

#[test]
fn both_verifiers_accept_valid_proofs_and_reject_changed_ones() {
    let (pk, vk) = setup(Cubic::default(), 1);
    let pvk = our_key(&vk).prepare();
    for (i, (x, k)) in [(3u64, 7u64), (0, 0), (1, u64::MAX), (123456789, 42)]
        .into_iter()
        .enumerate()
    {
        let c = Cubic::witness(x, k);
        let inputs = c.inputs();
        let ark_proof = prove(&pk, c, 100 + i as u64);
        let proof = our_proof(&ark_proof);
        assert!(ark_verifies(&vk, &ark_proof, &inputs));
        verify(&pvk, &proof, &inputs).unwrap();

        // One public input changed.
        for j in 0..inputs.len() {
            let mut bad = inputs.clone();
            bad[j] += Fr::from(1u64);
            assert!(
                !ark_verifies(&vk, &ark_proof, &bad),
                "ark accepted input {j}"
            );
            assert!(matches!(
                verify(&pvk, &proof, &bad),
                Err(Error::InvalidProof)
            ));
        }

        // One proof point changed (still valid points, so both verifiers get that far).
        let g1 = G1Affine::generator();
        let g2 = G2Affine::generator();
        let changed = [
            ArkProof {
                a: (ark_proof.a + g1).into_affine(),
                ..ark_proof.clone()
            },
            ArkProof {
                b: (ark_proof.b + g2).into_affine(),
                ..ark_proof.clone()
            },
            ArkProof {
                c: (ark_proof.c + g1).into_affine(),
                ..ark_proof.clone()
            },
            ArkProof {
                a: ark_proof.c,
                c: ark_proof.a,
                ..ark_proof.clone()
            },
        ];
        for bad in &changed {
            assert!(!ark_verifies(&vk, bad, &inputs));
            let e = verify(&pvk, &our_proof(bad), &inputs).unwrap_err();
            assert!(matches!(e, Error::InvalidProof) && e.is_rejected());
        }
    }
}

#[test]
fn a_proof_does_not_verify_under_another_setup() {
    let (pk, _) = setup(Cubic::default(), 1);
    let (_, other_vk) = setup(Cubic::default(), 2);
    let c = Cubic::witness(5, 6);
    let ark_proof = prove(&pk, c, 9);
    assert!(!ark_verifies(&other_vk, &ark_proof, &c.inputs()));
    assert!(matches!(
        verify(
            &our_key(&other_vk).prepare(),
            &our_proof(&ark_proof),
            &c.inputs()
        ),
        Err(Error::InvalidProof)
    ));
}

#[test]
fn wrong_number_of_inputs_is_malformed() {
    let (pk, vk) = setup(Cubic::default(), 1);
    let c = Cubic::witness(5, 6);
    let proof = our_proof(&prove(&pk, c, 9));
    let pvk = our_key(&vk).prepare();
    let mut inputs = c.inputs();
    inputs.push(Fr::from(0u64));
    let e = verify(&pvk, &proof, &inputs).unwrap_err();
    assert!(matches!(
        e,
        Error::PublicInputCount {
            expected: 3,
            found: 4,
            ..
        }
    ));
    assert!(e.is_malformed());
    assert!(prepare_inputs(pvk.vk(), &inputs[..2]).is_err());
}

#[test]
fn vk_x_is_the_input_combination() {
    let (_, vk) = setup(Cubic::default(), 1);
    let ours = our_key(&vk);
    let inputs = [Fr::from(2u64), Fr::from(0u64), -Fr::from(1u64)];
    let naive =
        vk.gamma_abc_g1[0] + vk.gamma_abc_g1[1] * inputs[0] + vk.gamma_abc_g1[3] * inputs[2];
    assert_eq!(prepare_inputs(&ours, &inputs).unwrap(), naive);
}

#[test]
fn binary_keys_and_proofs_are_read_with_validation() {
    let (pk, vk) = setup(Cubic::default(), 1);
    let bytes = compressed(&vk);
    assert_eq!(VerifyingKey::from_bytes(&bytes).unwrap(), our_key(&vk));
    // Truncated, trailing bytes, a corrupted point, a lying length prefix.
    let mut cases = vec![
        bytes[..bytes.len() - 1].to_vec(),
        bytes[..10].to_vec(),
        Vec::new(),
        [bytes.clone(), vec![0]].concat(),
    ];
    let mut flipped = bytes.clone();
    flipped[40] ^= 0x55; // inside beta_g2's x coordinate
    cases.push(flipped);
    let mut long = bytes.clone();
    long[224] = 0xff; // the IC length prefix
    cases.push(long);
    for bad in cases {
        let e = VerifyingKey::from_bytes(&bad).unwrap_err();
        assert!(matches!(e, Error::Binary { .. }) && e.is_malformed(), "{e}");
    }
    // A key with an element at infinity is refused.
    let mut degenerate = vk.clone();
    degenerate.delta_g2 = G2Affine::identity();
    assert!(VerifyingKey::from_bytes(&compressed(&degenerate)).is_err());

    let proof_bytes = compressed(&prove(&pk, Cubic::witness(1, 2), 3));
    assert!(Proof::from_bytes(&proof_bytes[..127]).is_err());
    assert!(Proof::from_bytes(&[proof_bytes.clone(), vec![1]].concat()).is_err());
    let zero = ArkProof {
        a: G1Affine::identity(),
        ..prove(&pk, Cubic::witness(1, 2), 3)
    };
    assert!(matches!(
        Proof::from_bytes(&compressed(&zero)),
        Err(Error::ProofPointAtInfinity("pi_a"))
    ));
}
