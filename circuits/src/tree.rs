//! The 4-ary Merkle path gadget, mirroring [`zkcred_core::tree::MerklePath`].
//!
//! The leaf index is private: two bits `(b0, b1)` per level give the position
//! `pos = b0 + 2*b1` of the current node `x` among its three siblings `s0, s1, s2`. The four
//! children are placed with 5 products (plus 2 booleanity constraints), using
//! `t = b0*(x - s0)` and `u = b0*(x - s2)`:
//!
//! ```text
//! c0 = s0 + (1 - b1) * ((x - s0) - t)       pos 0 -> x, else s0
//! c1 = s1 + (1 - b1) * (s0 - s1 + t)        pos 0 -> s0, pos 1 -> x, else s1
//! c3 = s2 + b1 * u                          pos 3 -> x, else s2
//! c2 = (x + s0 + s1 + s2) - c0 - c1 - c3    the children are a permutation: sums agree
//! ```
//!
//! A level costs 7 constraints plus one width-5 Poseidon (297).

use crate::layout::Layout;
use crate::poseidon;
use crate::FrVar;
use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::{ConstraintSystemRef, Namespace, SynthesisError};
use std::borrow::Borrow;
use zkcred_core::tree::{position, MerklePath, DEPTH};
use zkcred_core::Fr;

/// One level of a path in the circuit.
#[derive(Clone)]
pub struct LevelVar {
    /// Low bit of the position.
    pub b0: Boolean<Fr>,
    /// High bit of the position.
    pub b1: Boolean<Fr>,
    /// The three siblings in child order.
    pub siblings: [FrVar; 3],
}

/// A Merkle path in the circuit.
#[derive(Clone)]
pub struct MerklePathVar {
    /// Levels from the leaf up.
    pub levels: Vec<LevelVar>,
}

/// Places `x` among `s` by the position bits; see the module docs.
pub fn place(
    b0: &Boolean<Fr>,
    b1: &Boolean<Fr>,
    x: &FrVar,
    s: &[FrVar; 3],
) -> Result<[FrVar; 4], SynthesisError> {
    let b0f = FrVar::from(b0.clone());
    let b1f = FrVar::from(b1.clone());
    let not_b1 = FrVar::one() - &b1f;
    let t = &b0f * (x - &s[0]);
    let u = &b0f * (x - &s[2]);
    let c0 = &s[0] + &not_b1 * ((x - &s[0]) - &t);
    let c1 = &s[1] + &not_b1 * (&s[0] - &s[1] + &t);
    let c3 = &s[2] + &b1f * &u;
    let c2 = x + &s[0] + &s[1] + &s[2] - &c0 - &c1 - &c3;
    Ok([c0, c1, c2, c3])
}

impl MerklePathVar {
    /// The root obtained by hashing `leaf` up the path.
    pub fn root(&self, leaf: &FrVar) -> Result<FrVar, SynthesisError> {
        self.root_in(&ConstraintSystemRef::None, leaf, &mut Layout::default())
    }

    /// [`Self::root`], recording each level's placement and hash as sections of `layout`.
    pub fn root_in(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        leaf: &FrVar,
        layout: &mut Layout,
    ) -> Result<FrVar, SynthesisError> {
        let mut cur = leaf.clone();
        for (level, l) in self.levels.iter().enumerate() {
            let children = layout.section(cs, "placement", level, || {
                place(&l.b0, &l.b1, &cur, &l.siblings)
            })?;
            cur = layout.section(cs, "node hash", level, || poseidon::hash(&children))?;
        }
        Ok(cur)
    }
}

impl AllocVar<MerklePath, Fr> for MerklePathVar {
    fn new_variable<T: Borrow<MerklePath>>(
        cs: impl Into<Namespace<Fr>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let cs = cs.into().cs();
        let path = f().map(|p| p.borrow().clone());
        let mut levels = Vec::with_capacity(DEPTH);
        for level in 0..DEPTH {
            let pos = path
                .as_ref()
                .map(|p| position(p.index, level))
                .map_err(|e| *e);
            let b0 = Boolean::new_variable(cs.clone(), || pos.map(|p| p & 1 == 1), mode)?;
            let b1 = Boolean::new_variable(cs.clone(), || pos.map(|p| p & 2 == 2), mode)?;
            let mut siblings = Vec::with_capacity(3);
            for k in 0..3 {
                let v = path.as_ref().map(|p| p.siblings[level][k]).map_err(|e| *e);
                siblings.push(FrVar::new_variable(cs.clone(), || v, mode)?);
            }
            let siblings: [FrVar; 3] = siblings
                .try_into()
                .map_err(|_| SynthesisError::Unsatisfiable)?;
            levels.push(LevelVar { b0, b1, siblings });
        }
        Ok(Self { levels })
    }
}

/// Constraints per level besides its Poseidon: 2 booleanity + 5 products.
pub const PLACEMENT_CONSTRAINTS: usize = 7;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poseidon::test_util::*;
    use ark_r1cs_std::GR1CSVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use ark_std::UniformRand;
    use rand::SeedableRng;
    use zkcred_core::tree::SparseTree;

    #[test]
    fn placement_matches_native_for_every_position() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        for pos in 0..4usize {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let x = Fr::rand(&mut rng);
            let s = [Fr::rand(&mut rng), Fr::rand(&mut rng), Fr::rand(&mut rng)];
            let b0 = Boolean::new_witness(cs.clone(), || Ok(pos & 1 == 1)).unwrap();
            let b1 = Boolean::new_witness(cs.clone(), || Ok(pos & 2 == 2)).unwrap();
            let xv = alloc(&cs, x, AllocationMode::Witness);
            let sv = s.map(|v| alloc(&cs, v, AllocationMode::Witness));
            let c = place(&b0, &b1, &xv, &sv).unwrap();
            let native = zkcred_core::tree::place(pos, x, &s);
            for j in 0..4 {
                assert_eq!(c[j].value().unwrap(), native[j], "pos {pos} child {j}");
            }
            assert_eq!(cs.num_constraints(), PLACEMENT_CONSTRAINTS);
            assert!(cs.is_satisfied().unwrap());
        }
    }

    #[test]
    fn native_equals_gadget_in_every_mode() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(6);
        let mut t = SparseTree::new();
        for i in [0u32, 3, 77, 1 << 20, u32::MAX] {
            t.set(i, Fr::rand(&mut rng));
        }
        for index in [0u32, 77, u32::MAX, 12345] {
            let path = t.path(index);
            let leaf = t.node(0, index as u64);
            for mode in MODES {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let p = MerklePathVar::new_variable(cs.clone(), || Ok(&path), mode).unwrap();
                let l = alloc(&cs, leaf, mode);
                assert_eq!(p.root(&l).unwrap().value().unwrap(), t.root());
                assert!(cs.is_satisfied().unwrap());
            }
        }
    }
}
