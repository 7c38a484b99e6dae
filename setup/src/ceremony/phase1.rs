//! Phase 1: the Powers of Tau points the credential circuit needs, read from a snarkjs ptau
//! and checked to be powers of one secret before use.
//!
//! For a QAP domain of size `n = 2^k` the construction needs (all from a ptau of power `≥ k`):
//!
//! - `τ^i·G1` for `i < 2n − 1` (the H query is `τ^i·Z(τ)·G1 = τ^(n+i)·G1 − τ^i·G1`, `i < n − 1`),
//! - `τ·G2`, `β·G2`, `α·G1`, `β·G1`,
//! - `α·τ^i·G1` and `β·τ^i·G1` for `i < n` (only to check the Lagrange points),
//! - the Lagrange points `L_i(τ)·G1`, `L_i(τ)·G2`, `α·L_i(τ)·G1`, `β·L_i(τ)·G1` for the domain
//!   of size `n` (sections 12–15, made by `snarkjs powersoftau prepare phase2`).
//!
//! Every point is validated on reading ([`crate::ptau`]). Then, with fresh random `r`:
//!
//! 1. `τ^0·G1` and `τ^0·G2` are the standard generators; `e(τ·G1, G2) = e(G1, τ·G2)`.
//! 2. `e(Σ r_i·τ^i·G1, τ·G2) = e(Σ r_i·τ^(i+1)·G1, G2)` over all `2n − 1` powers: each is `τ`
//!    times the one before. Likewise for `α·τ^i·G1` and `β·τ^i·G1`; `e(β·G1, G2) = e(G1, β·G2)`.
//! 3. `Σ r_i·L_i(τ)·G1 = Σ c_j·τ^j·G1` with `c = IFFT(r)` (the coefficients of `Σ r_i·L_i(X)`
//!    on ark-poly's domain of size `n`), and the same for the α and β Lagrange points: this also
//!    pins snarkjs's order of the domain to ark's.
//! 4. `e(Σ r_i·L_i(τ)·G1, G2) = e(G1, Σ r_i·L_i(τ)·G2)`.
//!
//! A failure is [`PtauError::InconsistentPowers`] naming the check.

use super::ratio::{msm_g1, msm_g2, random_scalars, same_ratio, verifier_rng};
use crate::ptau::{PtauError, PtauFile, Section};
use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use rand::Rng;
use std::path::Path;

/// The phase-1 points for a domain of size `2^log_n`, validated and checked.
pub struct Phase1 {
    /// `log2` of the domain size `n`.
    pub log_n: u32,
    /// The file's power.
    pub power: u32,
    /// The file's ceremony power.
    pub ceremony_power: u32,
    /// `τ^i·G1`, `i < 2n − 1`.
    pub tau_g1: Vec<G1Affine>,
    /// `τ·G2`.
    pub tau_g2: G2Affine,
    /// `α·G1`.
    pub alpha_g1: G1Affine,
    /// `β·G1`.
    pub beta_g1: G1Affine,
    /// `β·G2`.
    pub beta_g2: G2Affine,
    /// `L_i(τ)·G1`, `i < n`.
    pub l_tau_g1: Vec<G1Affine>,
    /// `L_i(τ)·G2`, `i < n`.
    pub l_tau_g2: Vec<G2Affine>,
    /// `α·L_i(τ)·G1`, `i < n`.
    pub l_alpha_g1: Vec<G1Affine>,
    /// `β·L_i(τ)·G1`, `i < n`.
    pub l_beta_g1: Vec<G1Affine>,
}

impl std::fmt::Debug for Phase1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Phase1")
            .field("log_n", &self.log_n)
            .field("power", &self.power)
            .field("ceremony_power", &self.ceremony_power)
            .finish_non_exhaustive()
    }
}

impl Phase1 {
    /// Reads what a domain of size `2^log_n` needs from the ptau at `path` and checks it.
    pub fn load(path: &Path, log_n: u32) -> Result<Self, PtauError> {
        let mut f = PtauFile::open(path)?;
        if f.power() < log_n {
            return Err(PtauError::PowerTooSmall {
                power: f.power(),
                needed: log_n,
            });
        }
        let n = 1u64 << log_n;
        let tau_g1 = f.read_g1(Section::TauG1, 0, 2 * n - 1)?;
        let tau_g2 = f.read_g2(Section::TauG2, 0, 2)?;
        let alpha_tau = f.read_g1(Section::AlphaTauG1, 0, n)?;
        let beta_tau = f.read_g1(Section::BetaTauG1, 0, n)?;
        let beta_g2 = f.read_g2(Section::BetaG2, 0, 1)?[0];
        // The Lagrange points of the domain of size 2^k start at point 2^k − 1.
        let l_tau_g1 = f.read_g1(Section::LagrangeTauG1, n - 1, n)?;
        let l_tau_g2 = f.read_g2(Section::LagrangeTauG2, n - 1, n)?;
        let l_alpha_g1 = f.read_g1(Section::LagrangeAlphaTauG1, n - 1, n)?;
        let l_beta_g1 = f.read_g1(Section::LagrangeBetaTauG1, n - 1, n)?;
        let p1 = Phase1 {
            log_n,
            power: f.power(),
            ceremony_power: f.ceremony_power(),
            tau_g2: tau_g2[1],
            alpha_g1: alpha_tau[0],
            beta_g1: beta_tau[0],
            beta_g2,
            tau_g1,
            l_tau_g1,
            l_tau_g2,
            l_alpha_g1,
            l_beta_g1,
        };
        p1.check(&tau_g2[0], &alpha_tau, &beta_tau, &mut verifier_rng())?;
        Ok(p1)
    }

    fn check(
        &self,
        g2: &G2Affine,
        alpha_tau: &[G1Affine],
        beta_tau: &[G1Affine],
        rng: &mut impl Rng,
    ) -> Result<(), PtauError> {
        let bad = |what| Err(PtauError::InconsistentPowers(what));
        let (g1, g2_gen) = (G1Affine::generator(), G2Affine::generator());
        if self.tau_g1[0] != g1 || *g2 != g2_gen {
            return bad("the first powers are not the generators");
        }
        if !same_ratio(self.tau_g1[1], g2_gen, g1, self.tau_g2) {
            return bad("tauG1[1] and tauG2[1] differ");
        }
        for (what, powers) in [
            ("tauG1", &self.tau_g1[..]),
            ("alphaTauG1", alpha_tau),
            ("betaTauG1", beta_tau),
        ] {
            if !successive_powers(powers, self.tau_g2, rng) {
                return bad(what);
            }
        }
        if !same_ratio(self.beta_g1, g2_gen, g1, self.beta_g2) {
            return bad("betaG2 does not match betaTauG1[0]");
        }
        let n = self.l_tau_g1.len();
        let domain = GeneralEvaluationDomain::<Fr>::new(n)
            .filter(|d| d.size() == n)
            .ok_or(PtauError::InconsistentPowers("domain size"))?;
        for (what, lagrange, powers) in [
            ("lTauG1", &self.l_tau_g1, &self.tau_g1[..n]),
            ("lAlphaTauG1", &self.l_alpha_g1, alpha_tau),
            ("lBetaTauG1", &self.l_beta_g1, beta_tau),
        ] {
            let r = random_scalars(n, rng);
            let c = domain.ifft(&r);
            let (lhs, rhs) = rayon::join(|| msm_g1(lagrange, &r), || msm_g1(powers, &c));
            if lhs != rhs {
                return bad(what);
            }
        }
        let r = random_scalars(n, rng);
        let (l1, l2) = rayon::join(|| msm_g1(&self.l_tau_g1, &r), || msm_g2(&self.l_tau_g2, &r));
        if !same_ratio(l1.into_affine(), g2_gen, g1, l2.into_affine()) {
            return bad("lTauG2");
        }
        Ok(())
    }
}

/// Whether `P_{i+1} = τ·P_i` for all `i`, given `τ·G2`.
fn successive_powers(p: &[G1Affine], tau_g2: G2Affine, rng: &mut impl Rng) -> bool {
    if p.len() < 2 {
        return true;
    }
    let r = random_scalars(p.len() - 1, rng);
    let (lo, hi) = rayon::join(|| msm_g1(&p[..p.len() - 1], &r), || msm_g1(&p[1..], &r));
    same_ratio(
        lo.into_affine(),
        tau_g2,
        hi.into_affine(),
        G2Affine::generator(),
    )
}
