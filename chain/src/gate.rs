//! A policy as a `ZkcredGate` holds it: the constant public inputs, and the date-relative
//! bounds as terms the contract resolves against the proof's date.
//!
//! Off chain a policy is compiled on the request date ([`zkcred_core::policy::compile`]): a
//! bound such as `"birth_date": {"$lte": "today-18y"}` becomes an integer. A gate lives for
//! many days, so it keeps such a bound as a *term* `(input, unit, n, adjust)` and a *clamp*
//! (the bound from the slot's constant operators, `0` or `2^64 - 1` if none): on date `D` the
//! input is `max(clamp, resolve(D, unit, n) + adjust)` for a lower bound and the `min` for an
//! upper one, exactly the narrowing `compile` does. [`GatePolicy::inputs_on`] evaluates the
//! same rule in Rust; tests hold it equal to `compile` on many dates, and to the contract.

use serde_json::{Map, Value};
use zkcred_core::date::Date;
use zkcred_core::policy::{self, CompiledPolicy};
use zkcred_core::schema::{Schema, NUMERIC_SLOTS};
use zkcred_core::statement::{index, NUM_PUBLIC_INPUTS};
use zkcred_core::Fr;

/// Why a policy cannot become a gate.
#[derive(Debug, thiserror::Error)]
pub enum GatePolicyError {
    /// The policy does not compile.
    #[error("policy: {0}")]
    Policy(#[from] zkcred_core::Error),
    /// The policy discloses the holder's name: a public chain must never receive it.
    #[error("the policy discloses the holder's name, which a public chain must never receive; use the verification service for name disclosure")]
    DisclosesName,
    /// A relative date inside a set predicate (`$in`, `$nin`, `$ne`).
    #[error("`{0}`: a relative date in a set predicate is not supported on chain; use a range")]
    RelativeDateInSet(String),
}

/// Units of a relative date, as the contract numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Calendar days (`today`, `today±Nd`).
    Days = 0,
    /// Months keeping the day number (`today±Nm`).
    Months = 1,
    /// Years keeping month and day (`today±Ny`).
    Years = 2,
}

/// One date-relative bound term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    /// The public input it bounds (a `lo` or `hi` index).
    pub input: usize,
    /// The unit of `n`.
    pub unit: Unit,
    /// How many units from the date.
    pub n: i32,
    /// -1 for `$lt`, +1 for `$gt`, else 0.
    pub adjust: i8,
}

impl Term {
    /// The packed form the contract takes: `input | unit << 8 | (adjust + 1) << 16 |
    /// uint32(n) << 24`.
    pub fn packed(&self) -> u64 {
        self.input as u64
            | (self.unit as u64) << 8
            | ((self.adjust + 1) as u64) << 16
            | (self.n as u32 as u64) << 24
    }

    fn resolve(&self, date: Date) -> Option<u64> {
        let suffix = match self.unit {
            Unit::Days => 'd',
            Unit::Months => 'm',
            Unit::Years => 'y',
        };
        let v = zkcred_core::date::resolve(&format!("today{:+}{suffix}", self.n), date).ok()?;
        Some(match self.adjust {
            -1 => v - 1,
            1 => v + 1,
            _ => v,
        })
    }
}

/// A policy compiled for a gate.
#[derive(Clone, Debug)]
pub struct GatePolicy {
    /// The policy JSON.
    pub policy: Value,
    /// Public inputs 0..34 with 0 at root, nullifier, scope, message and the disclosed
    /// inputs, and each date-relative bound's clamp at its index.
    pub constants: [u64; NUM_PUBLIC_INPUTS],
    /// The set values (inputs 17..25), which may exceed 64 bits.
    pub set: [Fr; 8],
    /// `(input, clamp)` of each date-relative bound.
    pub date_inputs: Vec<(usize, u64)>,
    /// The terms of the date-relative bounds.
    pub terms: Vec<Term>,
    /// The disclosure mask.
    pub mask: u8,
}

fn parse_relative(s: &str) -> Option<(Unit, i32)> {
    let rest = s.strip_prefix("today")?;
    if rest.is_empty() {
        return Some((Unit::Days, 0));
    }
    let unit = match rest.as_bytes().last()? {
        b'd' => Unit::Days,
        b'm' => Unit::Months,
        b'y' => Unit::Years,
        _ => return None,
    };
    let n: i32 = rest[..rest.len() - 1].parse().ok()?;
    Some((unit, n))
}

impl GatePolicy {
    /// Compiles `policy` (against `identity-v1`) for a gate.
    pub fn new(policy: &Value) -> Result<Self, GatePolicyError> {
        let schema = &Schema::identity_v1();
        // Validates the whole policy, relative dates included, as a request would.
        let today = policy::compile(policy, schema, Date::today_utc())?;
        if today.disclose_name {
            return Err(GatePolicyError::DisclosesName);
        }
        let mut constant_part = Map::new();
        let mut terms = Vec::new();
        for (key, cond) in policy.as_object().into_iter().flatten() {
            let ops = match (key.as_str(), cond.as_object()) {
                ("disclose", _) | (_, None) => {
                    constant_part.insert(key.clone(), cond.clone());
                    continue;
                }
                (_, Some(ops)) => ops,
            };
            let (slot, _) = schema.slot(key)?;
            let mut kept = Map::new();
            for (op, arg) in ops {
                let relative = |v: &Value| v.as_str().and_then(parse_relative);
                let mut term = |bound: usize, v: &Value, adjust: i8| -> bool {
                    match relative(v) {
                        Some((unit, n)) => {
                            terms.push(Term {
                                input: bound + slot,
                                unit,
                                n,
                                adjust,
                            });
                            true
                        }
                        None => false,
                    }
                };
                match op.as_str() {
                    "$lte" | "$lt" | "$gte" | "$gt" | "$eq" if slot < NUMERIC_SLOTS => {
                        let done = match op.as_str() {
                            "$lte" => term(index::HI, arg, 0),
                            "$lt" => term(index::HI, arg, -1),
                            "$gte" => term(index::LO, arg, 0),
                            "$gt" => term(index::LO, arg, 1),
                            _ => {
                                relative(arg).is_some() && {
                                    term(index::LO, arg, 0);
                                    term(index::HI, arg, 0)
                                }
                            }
                        };
                        if !done {
                            kept.insert(op.clone(), arg.clone());
                        }
                    }
                    "$between" if slot < NUMERIC_SLOTS => {
                        let pair = arg.as_array().cloned().unwrap_or_default();
                        if let [lo, hi] = pair.as_slice() {
                            if !term(index::LO, lo, 0) {
                                kept.insert("$gte".into(), lo.clone());
                            }
                            if !term(index::HI, hi, 0) {
                                kept.insert("$lte".into(), hi.clone());
                            }
                        }
                    }
                    "$in" | "$nin" | "$ne" => {
                        let items = arg.as_array().cloned().unwrap_or_else(|| vec![arg.clone()]);
                        if items.iter().any(|v| relative(v).is_some()) {
                            return Err(GatePolicyError::RelativeDateInSet(key.clone()));
                        }
                        kept.insert(op.clone(), arg.clone());
                    }
                    _ => {
                        kept.insert(op.clone(), arg.clone());
                    }
                }
            }
            if !kept.is_empty() {
                constant_part.insert(key.clone(), Value::Object(kept));
            }
        }
        let clamps = policy::compile(&Value::Object(constant_part), schema, Date::today_utc())?;
        let mut constants = [0u64; NUM_PUBLIC_INPUTS];
        constants[index::FLAGS] = zkcred_core::statement::pack_flags(
            clamps.disclose_mask,
            clamps.set.as_ref(),
            clamps.disclose_name,
        );
        constants[index::LO..index::LO + NUMERIC_SLOTS].copy_from_slice(&clamps.lo);
        constants[index::HI..index::HI + NUMERIC_SLOTS].copy_from_slice(&clamps.hi);
        let set = set_values(&clamps);
        let mut date_inputs: Vec<(usize, u64)> = Vec::new();
        for t in &terms {
            if !date_inputs.iter().any(|(i, _)| *i == t.input) {
                date_inputs.push((t.input, constants[t.input]));
            }
        }
        date_inputs.sort();
        Ok(Self {
            policy: policy.clone(),
            constants,
            set,
            date_inputs,
            terms,
            mask: clamps.disclose_mask,
        })
    }

    /// The public inputs 4..34 the gate fixes for a proof dated `date` (inputs 0..4 and the
    /// disclosed ones are 0), as the contract computes them.
    pub fn inputs_on(&self, date: Date) -> Option<[Fr; NUM_PUBLIC_INPUTS]> {
        let mut v = self.constants;
        for &(input, clamp) in &self.date_inputs {
            let lower = input < index::HI;
            let mut x = clamp;
            for t in self.terms.iter().filter(|t| t.input == input) {
                let r = t.resolve(date)?;
                x = if lower { x.max(r) } else { x.min(r) };
            }
            v[input] = x;
        }
        let mut out = v.map(Fr::from);
        out[index::SET..index::SET + 8].copy_from_slice(&self.set);
        Some(out)
    }

    /// The constants as the contract takes them (the set values in place).
    pub fn constant_inputs(&self) -> [Fr; NUM_PUBLIC_INPUTS] {
        let mut out = self.constants.map(Fr::from);
        out[index::SET..index::SET + 8].copy_from_slice(&self.set);
        out
    }
}

fn set_values(p: &CompiledPolicy) -> [Fr; 8] {
    let pi = zkcred_core::statement::PublicInputs {
        root: Fr::from(0u64),
        nullifier: Fr::from(0u64),
        scope: Fr::from(0u64),
        message: Fr::from(0u64),
        policy: p.clone(),
        disclosed: [Fr::from(0u64); 8],
        name_disclosure: Fr::from(0u64),
    };
    pi.set_values()
}

/// The inputs 4..34 of `policy` compiled on `date` the way a request compiles them, with 0
/// at the disclosed inputs: what [`GatePolicy::inputs_on`] must equal.
pub fn compiled_inputs(
    policy: &Value,
    date: Date,
) -> Result<[Fr; NUM_PUBLIC_INPUTS], GatePolicyError> {
    let c = policy::compile(policy, &Schema::identity_v1(), date)?;
    let pi = zkcred_core::statement::PublicInputs {
        root: Fr::from(0u64),
        nullifier: Fr::from(0u64),
        scope: Fr::from(0u64),
        message: Fr::from(0u64),
        policy: c,
        disclosed: [Fr::from(0u64); 8],
        name_disclosure: Fr::from(0u64),
    };
    let v = pi.to_field_elements();
    Ok(std::array::from_fn(|i| v[i]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dates() -> Vec<Date> {
        let mut out = Vec::new();
        for s in [
            "2024-02-28",
            "2024-02-29",
            "2024-03-01",
            "2025-12-31",
            "2026-01-01",
            "2026-01-31",
            "2026-03-31",
            "2026-11-30",
            "2026-12-01",
            "2028-02-29",
            "2100-02-28",
            "2000-02-29",
        ] {
            out.push(Date::parse(s).unwrap());
        }
        out
    }

    #[test]
    fn folding_matches_compile_on_every_date() {
        let mut policies: Vec<Value> = zkcred_core::policy::PRESETS
            .iter()
            .filter(|p| **p != "influencer-disclose-name")
            .map(|p| zkcred_core::policy::preset(p).unwrap())
            .collect();
        policies.extend([
            json!({"birth_date": {"$lt": "today-21y", "$gt": "1900-01-01"}}),
            json!({"expiry_date": {"$gte": "today+30d", "$lte": "today+10y"}}),
            json!({"expiry_date": {"$between": ["today-1m", "2099-12-31"]}}),
            json!({"birth_date": {"$gt": "today-65y", "$lte": "2010-06-15"}, "disclose": ["region"]}),
            json!({"birth_date": {"$eq": "today-18y"}}),
            json!({"nationality": {"$in": [156, 344, 446]}, "expiry_date": {"$gte": "today"}}),
        ]);
        for p in &policies {
            let g = GatePolicy::new(p).unwrap();
            for d in dates() {
                // A date on which the policy can never hold has no request to compare with.
                if let Ok(expected) = compiled_inputs(p, d) {
                    assert_eq!(g.inputs_on(d).unwrap(), expected, "{p} on {d}");
                }
            }
        }
    }

    #[test]
    fn terms_and_refusals() {
        let g = GatePolicy::new(&zkcred_core::policy::preset("adult-realname").unwrap()).unwrap();
        assert_eq!(g.date_inputs.len(), 2);
        assert!(g
            .terms
            .iter()
            .any(|t| t.input == index::HI + 1 && t.unit == Unit::Years && t.n == -18));
        assert!(matches!(
            GatePolicy::new(&zkcred_core::policy::preset("influencer-disclose-name").unwrap()),
            Err(GatePolicyError::DisclosesName)
        ));
        assert!(matches!(
            GatePolicy::new(&json!({"birth_date": {"$in": ["today", "2000-01-01"]}})),
            Err(GatePolicyError::RelativeDateInSet(_))
        ));
        assert!(matches!(
            GatePolicy::new(&json!({"birth_date": {"$lte": "yesterday"}})),
            Err(GatePolicyError::Policy(_))
        ));
        let t = Term {
            input: 12,
            unit: Unit::Years,
            n: -18,
            adjust: -1,
        };
        assert_eq!(
            t.packed(),
            // adjust -1 packs as 0 in bits 16..24.
            12 | 2 << 8 | ((-18i32) as u32 as u64) << 24
        );
    }
}
