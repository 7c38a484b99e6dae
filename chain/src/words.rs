//! Field elements and proofs as EVM words.

use alloy::primitives::U256;
use ark_bn254::{Fq, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use zkcred_core::Fr;
use zkcred_verifier::Proof;

/// A scalar as a word.
pub fn fr(x: &Fr) -> U256 {
    U256::from_be_slice(&x.into_bigint().to_bytes_be())
}

/// A word as a scalar, if it is below the field order.
pub fn to_fr(x: U256) -> Option<Fr> {
    zkcred_core::encoding::fr_from_be_bytes(&x.to_be_bytes::<32>())
}

fn fq(x: &Fq) -> U256 {
    U256::from_be_slice(&x.into_bigint().to_bytes_be())
}

/// A G1 point as `(x, y)`; infinity is `(0, 0)` (what the precompiles take).
pub fn g1(p: &G1Affine) -> [U256; 2] {
    p.xy().map_or([U256::ZERO; 2], |(x, y)| [fq(&x), fq(&y)])
}

/// A G2 point as `(x.c1, x.c0, y.c1, y.c0)` (EIP-197 order).
pub fn g2(p: &G2Affine) -> [U256; 4] {
    p.xy().map_or([U256::ZERO; 4], |(x, y)| {
        [fq(&x.c1), fq(&x.c0), fq(&y.c1), fq(&y.c0)]
    })
}

/// A proof as the contracts take it: `A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y`.
pub fn proof(p: &Proof) -> [U256; 8] {
    let (a, b, c) = (g1(&p.a()), g2(&p.b()), g1(&p.c()));
    [a[0], a[1], b[0], b[1], b[2], b[3], c[0], c[1]]
}

/// The scalar field order r.
pub fn field_order() -> U256 {
    U256::from_be_slice(&Fr::MODULUS.to_bytes_be())
}
