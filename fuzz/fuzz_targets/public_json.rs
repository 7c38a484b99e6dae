#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zkcred_fuzz_targets::target_public_json(data));
