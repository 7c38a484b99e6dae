//! Length fields that announce 2^40 points allocate nothing of the kind: every reader of a
//! binary key or ptau fails on the missing bytes with memory bounded by the input, not by the
//! announced length. A counting allocator measures the peak of each read.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peak of live heap bytes above the starting level while `f` runs.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst) - base)
}

const LIMIT: usize = 1 << 20;

fn compressed_key_prefix() -> Vec<u8> {
    use ark_bn254::{G1Affine, G2Affine};
    use ark_ec::AffineRepr;
    use ark_serialize::CanonicalSerialize;
    let mut b = Vec::new();
    G1Affine::generator().serialize_compressed(&mut b).unwrap();
    for _ in 0..3 {
        G2Affine::generator().serialize_compressed(&mut b).unwrap();
    }
    b
}

/// One test, so that no other test allocates while a peak is measured.
#[test]
fn announced_lengths_do_not_allocate() {
    // proving_key.bin / params_NNNN.bin / the binary verifying key: the vector of IC points
    // announces 2^40 points and one follows.
    let mut bomb = compressed_key_prefix();
    bomb.extend((1u64 << 40).to_le_bytes());
    bomb.extend(&compressed_key_prefix()[..32]);
    let (r, peak) = peak_of(|| zkcred_prover::keys::decode_proving_key(&bomb));
    assert!(r.is_err());
    assert!(peak < LIMIT, "proving key reader: {peak} bytes");
    let (r, peak) = peak_of(|| zkcred_setup::ceremony::params::decode(&bomb));
    assert!(r.is_err());
    assert!(peak < LIMIT, "params reader: {peak} bytes");
    let (r, peak) = peak_of(|| zkcred_verifier::VerifyingKey::from_bytes(&bomb));
    assert!(r.is_err());
    assert!(peak < LIMIT, "verifying key reader: {peak} bytes");

    // .ptau: a section that announces 2^40 points' bytes, and a header of power 28 whose
    // sections would be 2^36 bytes.
    let dir = tempfile::tempdir().unwrap();
    for (name, file) in [
        ("section", ptau_with_section_len(2, 1u64 << 46)),
        ("power", ptau_with_power(28)),
    ] {
        let path = dir.path().join(format!("{name}.ptau"));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(&file)
            .unwrap();
        let (r, peak) = peak_of(|| zkcred_setup::ptau::PtauFile::open(&path).map(|_| ()));
        assert!(r.is_err(), "{name}");
        assert!(peak < LIMIT, "ptau reader ({name}): {peak} bytes");
    }
}

fn header_section(power: u32) -> Vec<u8> {
    use ark_ff::{BigInteger, PrimeField};
    let mut h = Vec::new();
    h.extend(32u32.to_le_bytes());
    h.extend(ark_bn254::Fq::MODULUS.to_bytes_le());
    h.extend(power.to_le_bytes());
    h.extend(power.to_le_bytes());
    h
}

fn ptau(sections: &[(u32, u64, &[u8])]) -> Vec<u8> {
    let mut out = b"ptau".to_vec();
    out.extend(1u32.to_le_bytes());
    out.extend((sections.len() as u32).to_le_bytes());
    for (id, len, body) in sections {
        out.extend(id.to_le_bytes());
        out.extend(len.to_le_bytes());
        out.extend(*body);
    }
    out
}

fn ptau_with_section_len(id: u32, len: u64) -> Vec<u8> {
    let h = header_section(1);
    ptau(&[(1, h.len() as u64, &h), (id, len, &[0u8; 64])])
}

fn ptau_with_power(power: u32) -> Vec<u8> {
    let h = header_section(power);
    ptau(&[(1, h.len() as u64, &h), (2, 64, &[0u8; 64])])
}
