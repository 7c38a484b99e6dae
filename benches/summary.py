#!/usr/bin/env python3
"""Prints a table of criterion medians (target/criterion/**/new/estimates.json) and the ratios
the zkcred performance targets are stated in. Usage: benches/summary.py [CRITERION_DIR]"""
import json, os, sys

root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"
medians = {}
for dirpath, _, files in os.walk(root):
    if dirpath.endswith(os.sep + "new") and "estimates.json" in files:
        bench = os.path.relpath(os.path.dirname(dirpath), root).replace(os.sep, "/")
        with open(os.path.join(dirpath, "estimates.json")) as f:
            medians[bench] = json.load(f)["median"]["point_estimate"]  # nanoseconds

def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"

print("| benchmark | median |")
print("| --- | --- |")
for name in sorted(medians):
    print(f"| {name} | {fmt(medians[name])} |")

def ratio(label, num, den, per=1.0):
    if num in medians and den in medians:
        print(f"| {label} | {medians[num] / (medians[den] * per):.2f}x |")

print()
print("| ratio | value |")
print("| --- | --- |")
ratio("prove: baseline / zkcred", "prove/baseline_groth16_prove", "prove/zkcred")
ratio("zkcred prove process: --revalidate / sealed keys", "process/zkcred_prove_revalidate", "process/zkcred_prove")
ratio("zkcred prove process / in-process proof", "process/zkcred_prove", "prove/zkcred")
for n in (16, 64, 256):
    # throughput(batch) / throughput(single) = n * t_single / t_batch
    if f"verify/batch/{n}" in medians and "verify/single" in medians:
        print(f"| batch {n}: throughput vs single | {n * medians['verify/single'] / medians[f'verify/batch/{n}']:.2f}x |")
if "service/presentations_256" in medians:
    # 256 presentations in flight over loopback, each accepted: presentations per second.
    print(f"| service: accepted presentations/s (256 in flight, redb) | {256 / (medians['service/presentations_256'] / 1e9):.0f} |")
ratio("poseidon 10 inputs: light-poseidon / zkcred", "poseidon/light_poseidon_10", "poseidon/zkcred_10")
ratio("poseidon 4 inputs: light-poseidon / zkcred", "poseidon/light_poseidon_4", "poseidon/zkcred_4")
for m in ("a_g1", "b_g1", "b_g2", "h_g1", "l_g1", "five"):
    # criterion stores the id `a_g1/arkworks` of group `msm` as the directory `msm/a_g1_arkworks`.
    ratio(f"MSM {m}: arkworks / zkcred", f"msm/{m}_arkworks", f"msm/{m}_zkcred")
ratio("Groth16 assembly: arkworks / zkcred", "groth16/arkworks", "groth16/zkcred")
ratio("Groth16 assembly / our five MSMs as scheduled", "groth16/zkcred", "msm/five_zkcred")
ours = [f"msm/{m}_zkcred" for m in ("a_g1", "b_g1", "b_g2", "h_g1", "l_g1")]
theirs = [f"msm/{m}_arkworks" for m in ("a_g1", "b_g1", "b_g2", "h_g1", "l_g1")]
if all(k in medians for k in ours + theirs):
    print(f"| sum of five MSM medians: arkworks / zkcred | {sum(medians[k] for k in theirs) / sum(medians[k] for k in ours):.2f}x |")
    if "prove/zkcred" in medians:
        print(f"| prove / sum of our five MSM medians | {medians['prove/zkcred'] / sum(medians[k] for k in ours):.2f} |")
