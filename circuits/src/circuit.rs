//! The credential circuit: one circuit for every policy.
//!
//! It proves the relation of `docs/circuit.md`; [`zkcred_core::statement::check_satisfaction`]
//! restates each claim natively, in the same order.

use crate::layout::Layout;
use crate::tree::MerklePathVar;
use crate::{commitment, name, nullifier, range, set, FrVar};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use zkcred_core::credential::{Attributes, HolderSecret};
use zkcred_core::policy::{CompiledPolicy, SET_SIZE};
use zkcred_core::schema::{NAME_SLOT, NUMERIC_SLOTS, SLOTS};
use zkcred_core::statement::{NameWitness, PublicInputs, Witness, DISCLOSE_NAME_BIT, FLAG_BITS};
use zkcred_core::tree::{MerklePath, DEPTH};
use zkcred_core::Fr;

/// Exact number of constraints of the credential circuit (pinned by a test).
pub const NUM_CONSTRAINTS: usize = 7078;

/// The statement to prove: public inputs and the holder's witness.
#[derive(Clone, Debug)]
pub struct CredentialCircuit {
    /// The public inputs.
    pub public: PublicInputs,
    /// The private witness.
    pub witness: Witness,
}

impl CredentialCircuit {
    /// A circuit with all-zero values, for key generation and matrix construction (the
    /// constraints do not depend on the values).
    pub fn blank() -> Self {
        let zero = Fr::from(0u64);
        Self {
            public: PublicInputs {
                root: zero,
                nullifier: zero,
                scope: zero,
                message: zero,
                policy: CompiledPolicy::default(),
                disclosed: [zero; SLOTS],
                name_disclosure: zero,
            },
            witness: Witness {
                secret: HolderSecret::from_fr(zero),
                attributes: Attributes::new_unchecked([zero; SLOTS]),
                salt: zero,
                path: MerklePath {
                    index: 0,
                    siblings: [[zero; 3]; DEPTH],
                },
                name: None,
            },
        }
    }
}

fn input(cs: &ConstraintSystemRef<Fr>, x: Fr) -> Result<FrVar, SynthesisError> {
    FrVar::new_input(cs.clone(), || Ok(x))
}

fn witness(cs: &ConstraintSystemRef<Fr>, x: Fr) -> Result<FrVar, SynthesisError> {
    FrVar::new_witness(cs.clone(), || Ok(x))
}

impl ConstraintSynthesizer<Fr> for CredentialCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.synthesize(cs).map(drop)
    }
}

impl CredentialCircuit {
    /// [`ConstraintSynthesizer::generate_constraints`], returning where each claim landed (for
    /// the dishonest-witness tests).
    #[doc(hidden)]
    pub fn synthesize(self, cs: ConstraintSystemRef<Fr>) -> Result<Layout, SynthesisError> {
        let p = &self.public;
        let w = &self.witness;
        let mut layout = Layout::default();
        let l = &mut layout;

        // Public inputs, in the pinned order of `zkcred_core::statement`.
        let root = input(&cs, p.root)?;
        let nullifier_in = input(&cs, p.nullifier)?;
        let scope = input(&cs, p.scope)?;
        // The message is only bound: as a public input it is part of the proof's statement.
        let _message = input(&cs, p.message)?;
        let flags = input(&cs, Fr::from(p.flags()))?;
        let lo = p.policy.lo.map(Fr::from).map(|x| input(&cs, x));
        let hi = p.policy.hi.map(Fr::from).map(|x| input(&cs, x));
        let set_values = p.set_values().map(|x| input(&cs, x));
        let disclosed = p.disclosed.map(|x| input(&cs, x));
        let name_disclosure = input(&cs, p.name_disclosure)?;

        // Private witness.
        let secret = l.section(&cs, "secret", 0, || witness(&cs, w.secret.expose()))?;
        let attributes = l.section(&cs, "attributes", 0, || {
            collect(w.attributes.values().map(|x| witness(&cs, x)))
        })?;
        let salt = l.section(&cs, "salt", 0, || witness(&cs, w.salt))?;
        // Per level: b0, b1 (with their booleanity constraints), then the three siblings.
        let path = l.section(&cs, "path", 0, || {
            MerklePathVar::new_witness(cs.clone(), || Ok(&w.path))
        })?;
        // The name's witness pack, name_salt, t: zeros when the name is not disclosed (then
        // nothing constrains them).
        let zero_name = NameWitness {
            pack: Fr::from(0u64),
            salt: Fr::from(0u64),
            t: Fr::from(0u64),
        };
        let name_w = w.name.as_ref().unwrap_or(&zero_name);
        let [pack, name_salt, t] = l.section(&cs, "name", 0, || {
            collect([name_w.pack, name_w.salt, name_w.t].map(|x| witness(&cs, x)))
        })?;

        // Flags: 8 disclosure bits (bit 6, the name commitment, is the constant 0, so a flags
        // value with it set has no decomposition), 3 set-slot bits, the "in" and "not in" mode
        // bits, the name-disclosure bit.
        let flag_bits = l.section(&cs, "flag bits", 0, || {
            (0..FLAG_BITS)
                .map(|i| {
                    if i == NAME_SLOT {
                        Ok(Boolean::FALSE)
                    } else {
                        Boolean::new_witness(cs.clone(), || Ok(p.flags() >> i & 1 == 1))
                    }
                })
                .collect::<Result<Vec<_>, _>>()
        })?;
        l.section(&cs, "flag packing", 0, || {
            let mut packed = FrVar::zero();
            for (i, b) in flag_bits.iter().enumerate() {
                packed += FrVar::from(b.clone()) * Fr::from(1u64 << i);
            }
            crate::enforce_equal(&packed, &flags)
        })?;

        // Credential membership: H(H(s), a, r) is a leaf under the public root.
        let hpk = l.section(&cs, "holder key", 0, || {
            commitment::holder_public_key(&secret)
        })?;
        let leaf = l.section(&cs, "leaf", 0, || {
            commitment::leaf_commitment(&hpk, &attributes, &salt)
        })?;
        let computed_root = path.root_in(&cs, &leaf, l)?;
        l.section(&cs, "root", 0, || {
            crate::enforce_equal(&computed_root, &root)
        })?;

        // Nullifier integrity: nullifier = H(s, scope).
        let nf = l.section(&cs, "nullifier hash", 0, || {
            nullifier::nullifier(&secret, &scope)
        })?;
        l.section(&cs, "nullifier", 0, || {
            crate::enforce_equal(&nf, &nullifier_in)
        })?;

        // Ranges: lo_i <= a_i <= hi_i for every numeric slot (hence a_i < 2^64); the section
        // holds the 64 bits of a_i - lo_i, then the 64 bits of hi_i - a_i.
        for i in 0..NUMERIC_SLOTS {
            let (lo_i, hi_i) = (
                lo[i].as_ref().map_err(|e| *e)?,
                hi[i].as_ref().map_err(|e| *e)?,
            );
            l.section(&cs, "range", i, || {
                range::enforce_in_range(&attributes[i], lo_i, hi_i)
            })?;
        }

        // Set predicate on attributes[set_slot].
        let slot_bits = [
            flag_bits[8].clone(),
            flag_bits[9].clone(),
            flag_bits[10].clone(),
        ];
        let set_values: [FrVar; SET_SIZE] = collect(set_values)?;
        l.section(&cs, "set", 0, || {
            set::enforce_set_predicate(
                &attributes,
                &slot_bits,
                &flag_bits[11],
                &flag_bits[12],
                &set_values,
            )
        })?;

        // Disclosure: disclosed_i = mask_i * a_i.
        let disclosed: [FrVar; SLOTS] = collect(disclosed)?;
        for i in 0..SLOTS {
            l.section(&cs, "disclosure", i, || {
                crate::enforce_product(
                    &FrVar::from(flag_bits[i].clone()),
                    &attributes[i],
                    &disclosed[i],
                )
            })?;
        }

        // Name disclosure: if asked, H(pack, name_salt) = a_6 and name_disclosure = H(pack, t);
        // otherwise name_disclosure = 0.
        let asked = &flag_bits[DISCLOSE_NAME_BIT];
        let commitment = l.section(&cs, "name commitment hash", 0, || {
            name::commitment(&pack, &name_salt)
        })?;
        let disclosure = l.section(&cs, "name disclosure hash", 0, || {
            name::disclosure(&pack, &t)
        })?;
        l.section(&cs, "name commitment", 0, || {
            name::enforce_opens(asked, &commitment, &attributes[NAME_SLOT])
        })?;
        l.section(&cs, "name disclosure", 0, || {
            name::enforce_disclosed(asked, &disclosure, &name_disclosure)
        })?;
        Ok(layout)
    }
}

fn collect<const N: usize>(
    xs: [Result<FrVar, SynthesisError>; N],
) -> Result<[FrVar; N], SynthesisError> {
    let v = xs.into_iter().collect::<Result<Vec<_>, _>>()?;
    v.try_into().map_err(|_| SynthesisError::Unsatisfiable)
}
