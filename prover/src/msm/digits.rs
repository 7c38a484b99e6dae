//! Signed-digit (Booth) recoding of a scalar in windows of `c` bits.
//!
//! Write `k = Σ_w u_w·2^(w·c)` with `u_w ∈ [0, 2^c)` and let `t_w` be the top bit of `u_w`.
//! Then `d_w = u_w − t_w·2^c + t_(w−1)` lies in `[−2^(c−1), 2^(c−1)]` and
//! `Σ_w d_w·2^(w·c) = k` as soon as the top window's `t` is zero, that is with
//! `⌈(bits(k) + 1)/c⌉` windows. A digit depends only on `c + 1` bits of `k`, so every window can
//! recode its own digits independently of the others. Negative digits cost nothing on an elliptic
//! curve (negate `y`), so `2^(c−1)` buckets per window suffice instead of `2^c − 1`.

/// The `w`-th signed digit of `k` in windows of `c` bits, `1 ≤ c ≤ 30`.
pub fn booth(k: u128, w: u32, c: u32) -> i32 {
    let lo = w * c;
    let u = shr(k, lo) & ((1 << c) - 1);
    let carry = if lo == 0 { 0 } else { shr(k, lo - 1) & 1 };
    let top = u >> (c - 1);
    (u + carry) as i32 - (top << c) as i32
}

/// The number of windows of `c` bits that `booth` needs for scalars of up to `bits` bits.
pub fn windows(bits: u32, c: u32) -> u32 {
    (bits + 1).div_ceil(c)
}

fn shr(k: u128, n: u32) -> u128 {
    k.checked_shr(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use ark_ff::{AdditiveGroup, Field};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    fn recombine(k: u128, c: u32) -> Fr {
        let base = Fr::from(2u8).pow([u64::from(c)]);
        (0..windows(128, c)).rev().fold(Fr::ZERO, |acc, w| {
            let d = booth(k, w, c);
            assert!(d.unsigned_abs() <= 1 << (c - 1), "digit {d} for c = {c}");
            acc * base + Fr::from(i64::from(d))
        })
    }

    #[test]
    fn digits_recombine_to_the_scalar_for_every_window_size() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let mut ks = vec![0, 1, 2, u128::MAX, u128::MAX >> 1, 1 << 127, (1 << 127) - 1];
        ks.extend((0..200).map(|_| rng.gen::<u128>() >> rng.gen_range(0..128)));
        for c in 1..=16 {
            for &k in &ks {
                assert_eq!(recombine(k, c), Fr::from(k), "k = {k}, c = {c}");
            }
        }
    }

    #[test]
    fn the_window_count_covers_the_carry() {
        assert_eq!(windows(128, 8), 17);
        assert_eq!(windows(127, 8), 16);
        assert_eq!(windows(0, 4), 1);
        // The digit beyond the last window is zero for every scalar of that many bits.
        for c in 1..=16 {
            assert_eq!(booth(u128::MAX, windows(128, c), c), 0);
        }
    }
}
