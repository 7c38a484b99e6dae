//! Native hashing and tree work: Poseidon (ours vs light-poseidon) and a depth-16 path.

use ark_bn254::Fr;
use ark_std::UniformRand;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use light_poseidon::{Poseidon, PoseidonHasher};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkcred_core::poseidon;
use zkcred_core::tree::SparseTree;

fn hashing(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut g = c.benchmark_group("poseidon");
    for n in [2usize, 4, 10] {
        let xs: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        g.bench_function(format!("zkcred_{n}"), |b| {
            b.iter(|| poseidon::hash_slice(black_box(&xs)))
        });
        let mut reference = Poseidon::<Fr>::new_circom(n).expect("width");
        g.bench_function(format!("light_poseidon_{n}"), |b| {
            b.iter(|| reference.hash(black_box(&xs)).expect("hash"))
        });
    }
    g.finish();

    let mut tree = SparseTree::new();
    for i in 0..64 {
        tree.set(i * 1000, Fr::rand(&mut rng));
    }
    let leaf = tree.node(0, 5000);
    let path = tree.path(5000);
    let mut g = c.benchmark_group("tree");
    g.bench_function("path_root_depth16", |b| {
        b.iter(|| path.root(black_box(leaf)))
    });
    g.finish();
}

criterion_group!(benches, hashing);
criterion_main!(benches);
