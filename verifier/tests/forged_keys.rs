//! Keys anyone can forge with: proofs of false statements that satisfy the raw pairing equation,
//! and the verifier refusing every such key on every path (points, bytes, snarkjs JSON).

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{Field, UniformRand};
use ark_serialize::CanonicalSerialize;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkcred_verifier::snarkjs::{g1_to_json, g2_to_json, verifying_key_from_json, VerifyingKeyJson};
use zkcred_verifier::{Error, VerifyingKey};

const INPUTS: usize = 3;

/// Key points with known scalars: `α·G, β·H, γ·H, δ·H` and `IC_i = ic_i·G`.
struct Points {
    alpha: G1Affine,
    beta: G2Affine,
    gamma: G2Affine,
    delta: G2Affine,
    ic: Vec<G1Affine>,
}

fn g1(s: Fr) -> G1Affine {
    (G1Affine::generator() * s).into_affine()
}

fn g2(s: Fr) -> G2Affine {
    (G2Affine::generator() * s).into_affine()
}

impl Points {
    /// `γ = gamma`, `δ = delta`; the rest random.
    fn new(gamma: Fr, delta: Fr, rng: &mut ChaCha20Rng) -> Self {
        Self {
            alpha: g1(Fr::rand(rng)),
            beta: g2(Fr::rand(rng)),
            gamma: g2(gamma),
            delta: g2(delta),
            ic: (0..=INPUTS).map(|_| g1(Fr::rand(rng))).collect(),
        }
    }

    fn vk_x(&self, x: &[Fr]) -> G1Projective {
        let rest: G1Projective = self.ic[1..].iter().zip(x).map(|(p, x)| *p * x).sum();
        rest + self.ic[0]
    }

    /// The Groth16 equation `e(A, B) = e(α, β)·e(vk_x, γ)·e(C, δ)`, checked directly.
    fn raw_verify(&self, (a, b, c): (G1Affine, G2Affine, G1Affine), x: &[Fr]) -> bool {
        let vk_x = self.vk_x(x).into_affine();
        Bn254::multi_pairing([a, -vk_x, -c], [b, self.gamma, self.delta])
            == Bn254::pairing(self.alpha, self.beta)
    }

    /// `A = α, B = β, C = −(γ/δ)·vk_x`: satisfies the equation for every `x`.
    fn forge(&self, gamma: Fr, delta: Fr, x: &[Fr]) -> (G1Affine, G2Affine, G1Affine) {
        let c = self.vk_x(x) * (-gamma * delta.inverse().unwrap());
        (self.alpha, self.beta, c.into_affine())
    }

    fn key(&self) -> Result<VerifyingKey, Error> {
        VerifyingKey::new(
            self.alpha,
            self.beta,
            self.gamma,
            self.delta,
            self.ic.clone(),
        )
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.alpha.serialize_compressed(&mut out).unwrap();
        for p in [self.beta, self.gamma, self.delta] {
            p.serialize_compressed(&mut out).unwrap();
        }
        self.ic.serialize_compressed(&mut out).unwrap();
        out
    }

    fn json(&self) -> String {
        serde_json::to_string(&VerifyingKeyJson {
            protocol: "groth16".into(),
            curve: "bn128".into(),
            n_public: INPUTS,
            vk_alpha_1: g1_to_json(&self.alpha),
            vk_beta_2: g2_to_json(&self.beta),
            vk_gamma_2: g2_to_json(&self.gamma),
            vk_delta_2: g2_to_json(&self.delta),
            vk_alphabeta_12: None,
            ic: self.ic.iter().map(g1_to_json).collect(),
        })
        .unwrap()
    }

    /// Every way to read these points as a key refuses them as unsafe.
    fn assert_refused(&self, case: &str) {
        let unsafe_key = |r: Result<VerifyingKey, Error>, path: &str| match r {
            Err(e @ Error::UnsafeKey(_)) => assert!(e.is_malformed(), "{case} ({path})"),
            other => panic!("{case} ({path}): expected an unsafe key, got {other:?}"),
        };
        unsafe_key(self.key(), "points");
        unsafe_key(VerifyingKey::from_bytes(&self.bytes()), "bytes");
        unsafe_key(verifying_key_from_json(&self.json(), INPUTS), "JSON");
    }
}

#[test]
fn keys_with_a_public_delta_forge_any_statement_and_are_refused() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let one = Fr::ONE;
    let g = Fr::rand(&mut rng);
    let cases = [
        // A ceremony's contribution 0 (γ = δ = 1), or the same sealed without a beacon.
        ("δ = γ = 1", one, one),
        ("δ = γ", g, g),
        ("δ = −γ", g, -g),
        ("δ = 1", g, one),
        ("δ = −1", g, -one),
    ];
    for (case, gamma, delta) in cases {
        let k = Points::new(gamma, delta, &mut rng);
        // A statement nobody proved: arbitrary public inputs.
        let x: Vec<Fr> = (0..INPUTS).map(|_| Fr::rand(&mut rng)).collect();
        let forged = k.forge(gamma, delta, &x);
        assert!(
            k.raw_verify(forged, &x),
            "{case}: the forgery satisfies the equation"
        );
        k.assert_refused(case);
    }
    // The same points with a δ nobody knows are accepted: only δ decides.
    let honest = Points::new(g, Fr::rand(&mut rng), &mut rng);
    assert!(honest.key().is_ok());
    assert!(VerifyingKey::from_bytes(&honest.bytes()).is_ok());
    assert!(verifying_key_from_json(&honest.json(), INPUTS).is_ok());
}

#[test]
fn an_ic_point_at_infinity_is_refused() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let (gamma, delta) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
    for i in 0..=INPUTS {
        let mut k = Points::new(gamma, delta, &mut rng);
        k.ic[i] = G1Affine::zero();
        if i > 0 {
            // Input i does not enter vk_x: a proof for one value verifies for every value.
            let x: Vec<Fr> = (0..INPUTS).map(|_| Fr::rand(&mut rng)).collect();
            let proof = k.forge(gamma, delta, &x);
            let mut other = x.clone();
            other[i - 1] += Fr::ONE;
            assert!(k.raw_verify(proof, &x) && k.raw_verify(proof, &other));
        }
        k.assert_refused(&format!("IC[{i}] at infinity"));
        match k.key() {
            Err(Error::UnsafeKey(m)) => assert!(m.contains(&format!("IC[{i}]")), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
