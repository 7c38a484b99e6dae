//! Dishonest witnesses: synthesize the honest circuit, then overwrite chosen witness variables
//! of its full assignment and see which constraints break.
//!
//! [`Honest::new`] keeps the constraint system with its LCs inlined (so that every constraint
//! reads instance and witness variables only) and the [`Layout`] of its sections;
//! [`Honest::check`] writes a changed witness assignment into it, drops the cached LC values
//! and asks both `is_satisfied()` and a plain evaluation of the R1CS matrices.

use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, Matrix, R1CS_PREDICATE_LABEL};
use zkcred_circuits::layout::{Layout, Section};
use zkcred_circuits::CredentialCircuit;
use zkcred_core::statement::{PublicInputs, Witness};
use zkcred_core::Fr;

/// The honest synthesis of one statement.
pub struct Honest {
    cs: ConstraintSystemRef<Fr>,
    pub layout: Layout,
    instance: Vec<Fr>,
    pub witness: Vec<Fr>,
    /// The R1CS matrices A, B, C; columns are the instance variables, then the witnesses.
    abc: Vec<Matrix<Fr>>,
}

/// What a changed assignment does.
#[derive(Debug)]
pub struct Outcome {
    /// `ConstraintSystem::is_satisfied()`.
    pub satisfied: bool,
    /// Every unsatisfied constraint, in order.
    pub unsatisfied: Vec<usize>,
    /// The sections of those constraints as `name/item`, without repeats.
    pub sections: Vec<String>,
}

fn label(s: &Section) -> String {
    format!("{}/{}", s.name, s.item)
}

impl Honest {
    /// Synthesizes the circuit for an honest `(public, witness)`, which must satisfy it.
    pub fn new(public: &PublicInputs, witness: &Witness) -> Self {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let circuit = CredentialCircuit {
            public: public.clone(),
            witness: witness.clone(),
        };
        let layout = circuit.synthesize(cs.clone()).expect("synthesis");
        cs.finalize();
        assert!(
            cs.is_satisfied().unwrap(),
            "the honest witness must satisfy"
        );
        let abc = cs.to_matrices().unwrap()[R1CS_PREDICATE_LABEL].clone();
        Self {
            instance: cs.instance_assignment().unwrap(),
            witness: cs.witness_assignment().unwrap(),
            cs,
            layout,
            abc,
        }
    }

    /// The section `name`/`item`.
    pub fn section(&self, name: &str, item: usize) -> &Section {
        (self.layout.get(name, item)).unwrap_or_else(|| panic!("no section {name}/{item}"))
    }

    /// The `k`-th witness variable of section `name`/`item`.
    pub fn var(&self, name: &str, item: usize, k: usize) -> usize {
        let w = &self.section(name, item).witnesses;
        assert!(k < w.len(), "{name}/{item} has {} witnesses", w.len());
        w.start + k
    }

    fn eval(&self, row: &[(Fr, usize)], z: &[Fr]) -> Fr {
        row.iter().map(|(c, i)| *c * z[*i]).sum()
    }

    /// The constraints among `rows` that the full assignment `z` violates.
    fn violated(&self, z: &[Fr], rows: impl Iterator<Item = usize>) -> Vec<usize> {
        let [a, b, c] = [&self.abc[0], &self.abc[1], &self.abc[2]];
        rows.filter(|&k| self.eval(&a[k], z) * self.eval(&b[k], z) != self.eval(&c[k], z))
            .collect()
    }

    fn full(&self, witness: &[Fr]) -> Vec<Fr> {
        self.instance.iter().chain(witness).copied().collect()
    }

    /// Applies `changes` (witness index, new value) to the honest assignment and checks it.
    pub fn check(&self, changes: &[(usize, Fr)]) -> Outcome {
        let mut w = self.witness.clone();
        for &(i, v) in changes {
            w[i] = v;
        }
        let satisfied = {
            let mut inner = self.cs.borrow_mut().unwrap();
            inner.assignments.witness_assignment = w.clone();
            // Cached LC values are the honest ones: drop them so each LC is evaluated afresh.
            inner.assignments.lc_assignment.clear();
            drop(inner);
            self.cs.is_satisfied().unwrap()
        };
        let unsatisfied = self.violated(&self.full(&w), 0..self.abc[0].len());
        let mut sections: Vec<String> = Vec::new();
        for k in &unsatisfied {
            let s = self
                .layout
                .of_constraint(*k)
                .map_or("outside any section".into(), label);
            if !sections.contains(&s) {
                sections.push(s);
            }
        }
        Outcome {
            satisfied,
            unsatisfied,
            sections,
        }
    }

    /// Checks `changes` and asserts that they break the system, that `is_satisfied()` and the
    /// matrices agree, and that every violated constraint lies in section `name`/`item` (all
    /// other claims still hold, so the test hits that section's constraints and no other).
    pub fn assert_breaks_only(&self, changes: &[(usize, Fr)], name: &str, item: usize) {
        let out = self.check(changes);
        assert!(
            !out.satisfied,
            "changing {changes:?} left the system satisfied: {name}/{item} is under-constrained"
        );
        assert!(
            !out.unsatisfied.is_empty(),
            "is_satisfied() and the matrices disagree"
        );
        assert_eq!(
            out.sections,
            [format!("{name}/{item}")],
            "violated constraints {:?}",
            out.unsatisfied
        );
        let first = self.cs.which_is_unsatisfied().unwrap().unwrap();
        assert!(
            first.ends_with(&format!(" - {}", out.unsatisfied[0])),
            "first unsatisfied: {first}, expected {}",
            out.unsatisfied[0]
        );
    }

    /// The witness variables `i` that can take `value(i)`, all others honest, without breaking
    /// any constraint: nothing binds them.
    pub fn free_variables(&self, mut value: impl FnMut(usize) -> Fr) -> Vec<usize> {
        let offset = self.instance.len();
        let mut uses: Vec<Vec<usize>> = vec![Vec::new(); self.witness.len()];
        for m in &self.abc {
            for (k, row) in m.iter().enumerate() {
                for (_, col) in row {
                    if let Some(u) = col.checked_sub(offset).and_then(|j| uses.get_mut(j)) {
                        if u.last() != Some(&k) {
                            u.push(k);
                        }
                    }
                }
            }
        }
        let mut z = self.full(&self.witness);
        let mut free = Vec::new();
        for (j, rows) in uses.iter().enumerate() {
            let honest = z[offset + j];
            z[offset + j] = value(j);
            if z[offset + j] != honest && self.violated(&z, rows.iter().copied()).is_empty() {
                free.push(j);
            }
            z[offset + j] = honest;
        }
        free
    }
}
