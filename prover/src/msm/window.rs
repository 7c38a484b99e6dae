//! The window size `c` of an MSM, from a cost model.
//!
//! With `n` points whose scalars have at most `b` bits, Booth recoding needs
//! `W(c) = ⌈(b + 1)/c⌉` windows of `2^(c−1)` buckets. Per window, filling the buckets costs at
//! most `n` batched affine additions and reducing them (`Σ j·B_j` by running sums) costs
//! `2^(c−1)` steps of one mixed and one full Jacobian addition, about
//! [`REDUCTION_COST`] batched additions each. The chosen `c` minimizes
//! `W(c)·(n + REDUCTION_COST·2^(c−1))`. The same model serves G1 and G2: every cost in it is a
//! count of base-field multiplications, and G2's Fq2 multiplies all of them by about three.

use super::digits::windows;

/// Cost of one bucket-reduction step (a mixed plus a full Jacobian addition, ≈ 25M) in batched
/// affine additions (≈ 6M).
pub const REDUCTION_COST: u64 = 4;

/// Largest window considered (2^15 buckets).
pub const MAX_WINDOW: u32 = 16;

/// The modelled cost of an MSM over `points` scalars of `bits` bits with windows of `c` bits.
pub fn cost(points: usize, bits: u32, c: u32) -> u64 {
    u64::from(windows(bits, c)) * (points as u64 + REDUCTION_COST * (1u64 << (c - 1)))
}

/// The window size of least modelled cost.
pub fn size(points: usize, bits: u32) -> u32 {
    (1..=MAX_WINDOW)
        .min_by_key(|&c| cost(points, bits, c))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_grow_with_the_number_of_points() {
        assert!(size(1, 127) <= 2);
        let sizes: Vec<u32> = [8, 64, 512, 4096, 16384, 1 << 17]
            .iter()
            .map(|&n| size(n, 127))
            .collect();
        assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{sizes:?}");
        assert!(sizes[sizes.len() - 1] > sizes[0]);
        assert!(
            (9..=11).contains(&size(11_400, 127)),
            "{}",
            size(11_400, 127)
        );
    }
}
