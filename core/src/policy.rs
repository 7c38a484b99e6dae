//! Policies: what a platform asks a holder to prove, compiled to public inputs.
//!
//! A policy is a JSON object, in the spirit of iden3's query language:
//!
//! ```json
//! {"real_name_verified": {"$eq": 1}, "birth_date": {"$lte": "today-18y"},
//!  "expiry_date": {"$gte": "today"}, "nationality": {"$in": [156, 344, 446]},
//!  "disclose": ["region"]}
//! ```
//!
//! Operators: `$eq $ne $lt $lte $gt $gte $between` (ranges on numeric slots, intersected when
//! several are given) and `$in $nin` (one set predicate of up to 8 values, on any slot; `$ne v`
//! is `$nin [v]`). Dates may be absolute (`2030-01-01`) or relative to the request date
//! (`today`, `today-18y`, see [`crate::date`]). `disclose` lists attributes whose values are
//! revealed, and may list `name`: the holder's real name, checked by the verifier against a
//! per-presentation name disclosure (docs/circuit.md, "Name disclosure"). The name commitment
//! itself (slot 6) is never disclosed: it is one fixed value per credential, so every platform
//! receiving it could link the holder. Impossible or ambiguous policies are rejected: an empty
//! range, two set predicates, a range on an opaque slot, more than 8 or zero set values, an
//! unknown attribute or operator, a disclosure of slot 6.
//!
//! Compilation gives per numeric slot an inclusive range `[lo_i, hi_i]` (default
//! `[0, 2^64 - 1]`), the set predicate (slot, mode, values padded to 8 by repeating the first),
//! the disclosure mask and whether the name is disclosed. They are packed into the public inputs
//! by [`crate::statement`].

use crate::date::Date;
use crate::error::{Error, Result};
use crate::schema::{Encoding, Schema, SlotKind, NAME_SLOT, NUMERIC_SLOTS, SLOTS};
use crate::Fr;
use serde_json::{Map, Value};

/// Maximum number of values in a set predicate.
pub const SET_SIZE: usize = 8;
/// The entry of a `disclose` list that asks for the holder's real name.
pub const DISCLOSE_NAME: &str = "name";

/// The named policies.
pub const PRESETS: [&str; 4] = [
    "over18",
    "realname",
    "adult-realname",
    "influencer-disclose-name",
];

/// The JSON of a named preset. Every preset also requires an unexpired credential.
pub fn preset(name: &str) -> Option<Value> {
    let not_expired = ("expiry_date", serde_json::json!({"$gte": "today"}));
    let adult = ("birth_date", serde_json::json!({"$lte": "today-18y"}));
    let real = ("real_name_verified", serde_json::json!({"$eq": 1}));
    let disclose_name = ("disclose", serde_json::json!([DISCLOSE_NAME]));
    let parts: &[(&str, Value)] = match name {
        "over18" => &[adult, not_expired],
        "realname" => &[real, not_expired],
        "adult-realname" => &[real, adult, not_expired],
        "influencer-disclose-name" => &[real, not_expired, disclose_name],
        _ => return None,
    };
    Some(Value::Object(
        parts
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<Map<_, _>>(),
    ))
}

/// Membership or non-membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetMode {
    /// The attribute equals one of the values.
    In = 1,
    /// The attribute equals none of the values.
    NotIn = 2,
}

impl SetMode {
    /// The mode's code in the packed flags: 1 (in) or 2 (not in); 0 means no set predicate.
    pub fn code(self) -> u64 {
        self as u64
    }

    /// The mode of a flags code: `None` for 0 (off), an error for anything but 0, 1 and 2.
    pub fn from_code(code: u64) -> Result<Option<Self>> {
        match code {
            0 => Ok(None),
            1 => Ok(Some(SetMode::In)),
            2 => Ok(Some(SetMode::NotIn)),
            other => Err(Error::SetMode(other)),
        }
    }
}

/// The one set predicate a statement may carry.
///
/// Built only by [`SetPredicate::new`], so that its slot and values always fit the circuit's
/// 3 slot bits and 8 set inputs: the native check and the circuit then read the same predicate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetPredicate {
    slot: usize,
    mode: SetMode,
    values: Vec<Fr>,
}

impl SetPredicate {
    /// A predicate on attribute `slot` (`0..8`) with 1 to [`SET_SIZE`] values; repeated values
    /// are dropped, the others kept in the order given.
    pub fn new(slot: usize, mode: SetMode, values: Vec<Fr>) -> Result<Self> {
        if slot >= SLOTS {
            return Err(Error::SetSlot(slot));
        }
        if values.is_empty() || values.len() > SET_SIZE {
            return Err(Error::SetSize(values.len()));
        }
        let mut distinct = Vec::with_capacity(values.len());
        for v in values {
            if !distinct.contains(&v) {
                distinct.push(v);
            }
        }
        Ok(Self {
            slot,
            mode,
            values: distinct,
        })
    }

    /// The slot it constrains, below 8.
    pub fn slot(&self) -> usize {
        self.slot
    }

    /// In or not in.
    pub fn mode(&self) -> SetMode {
        self.mode
    }

    /// 1 to 8 distinct values, in the order given.
    pub fn values(&self) -> &[Fr] {
        &self.values
    }
}

/// A policy compiled against a date: the policy part of the public inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledPolicy {
    /// Inclusive lower bound per numeric slot.
    pub lo: [u64; NUMERIC_SLOTS],
    /// Inclusive upper bound per numeric slot.
    pub hi: [u64; NUMERIC_SLOTS],
    /// The set predicate, if any (valid by construction, see [`SetPredicate::new`]).
    pub set: Option<SetPredicate>,
    /// Bit `i` set: attribute `i` is disclosed. Bit [`NAME_SLOT`] is never set.
    pub disclose_mask: u8,
    /// The holder's name is disclosed through a name disclosure `H(pack(name), t)`.
    pub disclose_name: bool,
}

impl CompiledPolicy {
    /// Whether the policy discloses the holder's real name. Such a policy is for platforms
    /// only, never for on-chain use: a gate contract must never receive a name.
    pub fn discloses_name(&self) -> bool {
        self.disclose_name
    }
}

impl Default for CompiledPolicy {
    /// The policy that asks nothing but credential membership.
    fn default() -> Self {
        Self {
            lo: [0; NUMERIC_SLOTS],
            hi: [u64::MAX; NUMERIC_SLOTS],
            set: None,
            disclose_mask: 0,
            disclose_name: false,
        }
    }
}

fn perr(msg: impl Into<String>) -> Error {
    Error::Policy(msg.into())
}

/// Parses a policy argument: a preset name or policy JSON text.
pub fn parse(text_or_preset: &str) -> Result<Value> {
    if let Some(p) = preset(text_or_preset.trim()) {
        return Ok(p);
    }
    let v: Value = serde_json::from_str(text_or_preset).map_err(|e| {
        perr(format!(
            "not a preset ({}) and not valid JSON: {e}",
            PRESETS.join(", ")
        ))
    })?;
    Ok(v)
}

/// Compiles policy JSON against `schema` on the request date `today`.
pub fn compile(policy: &Value, schema: &Schema, today: Date) -> Result<CompiledPolicy> {
    let obj = policy
        .as_object()
        .ok_or_else(|| perr("a policy is a JSON object of attribute predicates"))?;
    let mut out = CompiledPolicy::default();
    for (key, cond) in obj {
        if key == "disclose" {
            let names = cond
                .as_array()
                .ok_or_else(|| perr("`disclose` is a list of attribute names"))?;
            for n in names {
                let n = n
                    .as_str()
                    .ok_or_else(|| perr("`disclose` is a list of attribute names"))?;
                if n == DISCLOSE_NAME {
                    if out.disclose_name {
                        return Err(perr("`name` is disclosed twice"));
                    }
                    if schema.slots[NAME_SLOT].encoding != Encoding::NameCommitment {
                        return Err(perr(format!(
                            "schema {} has no name commitment, so `name` cannot be disclosed",
                            schema.id
                        )));
                    }
                    out.disclose_name = true;
                    continue;
                }
                let (i, _) = schema.slot(n)?;
                if i == NAME_SLOT {
                    return Err(perr(format!(
                        "`{n}` cannot be disclosed: it is one fixed value per credential, which \
                         would link the holder across platforms; disclose `name` instead"
                    )));
                }
                if out.disclose_mask & (1 << i) != 0 {
                    return Err(perr(format!("`{n}` is disclosed twice")));
                }
                out.disclose_mask |= 1 << i;
            }
            continue;
        }
        let (slot, def) = schema.slot(key)?;
        let ops = cond.as_object().ok_or_else(|| {
            perr(format!(
                "`{key}`: a predicate is an object such as {{\"$gte\": 18}}"
            ))
        })?;
        if ops.is_empty() {
            return Err(perr(format!("`{key}` has no operator")));
        }
        for (op, arg) in ops {
            let value = |v: &Value| schema.encode_value(slot, v, Some(today));
            let int = |v: &Value| -> Result<u64> {
                let x = value(v)?;
                crate::encoding::fr_to_u64(&x)
                    .ok_or_else(|| perr(format!("`{key}`: bound {v} is not below 2^64")))
            };
            let is_range = matches!(
                op.as_str(),
                "$eq" | "$lt" | "$lte" | "$gt" | "$gte" | "$between"
            );
            if is_range && def.kind == SlotKind::Opaque {
                return Err(perr(format!(
                    "`{key}` is opaque: only $in, $nin, $ne and disclose apply, not {op}"
                )));
            }
            let mut narrow = |lo: u64, hi: u64| {
                out.lo[slot] = out.lo[slot].max(lo);
                out.hi[slot] = out.hi[slot].min(hi);
            };
            match op.as_str() {
                "$eq" => {
                    let v = int(arg)?;
                    narrow(v, v)
                }
                "$lte" => narrow(0, int(arg)?),
                "$gte" => narrow(int(arg)?, u64::MAX),
                "$lt" => {
                    let v = int(arg)?;
                    let hi = v.checked_sub(1).ok_or_else(|| {
                        perr(format!("`{key}` $lt 0 can never hold"))
                    })?;
                    narrow(0, hi)
                }
                "$gt" => {
                    let v = int(arg)?;
                    let lo = v.checked_add(1).ok_or_else(|| {
                        perr(format!("`{key}` $gt 2^64-1 can never hold"))
                    })?;
                    narrow(lo, u64::MAX)
                }
                "$between" => {
                    let pair = arg.as_array().filter(|a| a.len() == 2).ok_or_else(|| {
                        perr(format!("`{key}` $between takes [low, high]"))
                    })?;
                    let (lo, hi) = (int(&pair[0])?, int(&pair[1])?);
                    if lo > hi {
                        return Err(perr(format!("`{key}` $between [{lo}, {hi}] is empty")));
                    }
                    narrow(lo, hi)
                }
                "$in" | "$nin" | "$ne" => {
                    if let Some(prev) = &out.set {
                        return Err(perr(format!(
                            "only one set predicate ($in, $nin, $ne) per policy; `{}` already has one",
                            schema.slots[prev.slot()].name
                        )));
                    }
                    let items: Vec<Value> = if op == "$ne" {
                        vec![arg.clone()]
                    } else {
                        arg.as_array()
                            .ok_or_else(|| perr(format!("`{key}` {op} takes a list")))?
                            .clone()
                    };
                    let values = items.iter().map(&value).collect::<Result<Vec<_>>>()?;
                    let mode = if op == "$in" { SetMode::In } else { SetMode::NotIn };
                    let set = SetPredicate::new(slot, mode, values)
                        .map_err(|e| perr(format!("`{key}` {op}: {e}")))?;
                    out.set = Some(set);
                }
                other => {
                    return Err(perr(format!(
                        "`{key}`: unknown operator {other:?} (use $eq $ne $lt $lte $gt $gte $between $in $nin)"
                    )))
                }
            }
        }
        if slot < NUMERIC_SLOTS && out.lo[slot] > out.hi[slot] {
            return Err(perr(format!(
                "`{key}` can never hold: the range [{}, {}] is empty",
                out.lo[slot], out.hi[slot]
            )));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> Date {
        Date::parse("2026-11-24").unwrap()
    }

    fn c(v: Value) -> Result<CompiledPolicy> {
        compile(&v, &Schema::identity_v1(), today())
    }

    #[test]
    fn presets_compile() {
        for p in PRESETS {
            let compiled = c(preset(p).unwrap()).unwrap();
            assert_eq!(
                compiled.lo[2], 20261124,
                "{p} requires an unexpired credential"
            );
        }
        let a = c(preset("adult-realname").unwrap()).unwrap();
        assert_eq!((a.lo[0], a.hi[0]), (1, 1));
        assert_eq!(a.hi[1], 20081124);
        let influencer = c(preset("influencer-disclose-name").unwrap()).unwrap();
        assert!(influencer.discloses_name());
        assert_eq!(influencer.disclose_mask, 0);
        for p in ["over18", "realname", "adult-realname"] {
            assert!(!c(preset(p).unwrap()).unwrap().discloses_name(), "{p}");
        }
    }

    #[test]
    fn design_example_compiles() {
        let p = c(
            json!({"real_name_verified": {"$eq": 1}, "birth_date": {"$lte": "today-18y"},
            "expiry_date": {"$gte": "today"}, "nationality": {"$in": [156, 344, 446]},
            "disclose": ["region"]}),
        )
        .unwrap();
        let set = p.set.unwrap();
        assert_eq!(
            (set.slot(), set.mode(), set.values().len()),
            (3, SetMode::In, 3)
        );
        assert_eq!(p.disclose_mask, 1 << 4);
        assert_eq!((p.lo[5], p.hi[5]), (0, u64::MAX));
    }

    #[test]
    fn operators() {
        let p = c(json!({"nationality": {"$gt": 100, "$lt": 200}, "region": {"$between": [110000, 119999]},
            "document_type": {"$ne": 3}}))
        .unwrap();
        assert_eq!((p.lo[3], p.hi[3]), (101, 199));
        assert_eq!((p.lo[4], p.hi[4]), (110000, 119999));
        let s = p.set.unwrap();
        assert_eq!((s.slot(), s.mode()), (5, SetMode::NotIn));
        // Set predicates on opaque slots are allowed.
        assert!(c(json!({"issuer_data": {"$in": ["5", "7"]}})).is_ok());
    }

    #[test]
    fn impossible_or_ambiguous_policies_are_rejected() {
        for bad in [
            json!({"nationality": {"$between": [200, 100]}}),
            json!({"nationality": {"$gte": 200, "$lte": 100}}),
            json!({"nationality": {"$in": [1]}, "region": {"$nin": [2]}}),
            json!({"nationality": {"$in": [1], "$ne": 2}}),
            json!({"name_commitment": {"$eq": 1}}),
            json!({"issuer_data": {"$gte": 1}}),
            json!({"nationality": {"$in": [1, 2, 3, 4, 5, 6, 7, 8, 9]}}),
            json!({"nationality": {"$in": []}}),
            json!({"height": {"$gte": 180}}),
            json!({"nationality": {"$regex": "1"}}),
            json!({"nationality": {}}),
            json!({"nationality": 156}),
            json!({"real_name_verified": {"$lt": 0}}),
            json!({"region": {"$gt": u64::MAX}}),
            json!({"birth_date": {"$lte": "yesterday"}}),
            json!({"disclose": ["height"]}),
            json!({"disclose": ["region", "region"]}),
            json!({"disclose": ["name_commitment"]}),
            json!({"disclose": ["name", "name"]}),
            json!([1, 2]),
        ] {
            assert!(c(bad.clone()).is_err(), "accepted {bad}");
        }
    }

    #[test]
    fn set_predicates_that_the_circuit_cannot_carry_are_refused() {
        let v = |n: u64| (0..n).map(Fr::from).collect::<Vec<_>>();
        assert_eq!(
            SetPredicate::new(8, SetMode::In, v(1)),
            Err(Error::SetSlot(8))
        );
        assert_eq!(
            SetPredicate::new(usize::MAX, SetMode::NotIn, v(1)),
            Err(Error::SetSlot(usize::MAX))
        );
        assert_eq!(
            SetPredicate::new(0, SetMode::In, v(0)),
            Err(Error::SetSize(0))
        );
        assert_eq!(
            SetPredicate::new(7, SetMode::NotIn, v(9)),
            Err(Error::SetSize(9))
        );
        let ok = SetPredicate::new(7, SetMode::NotIn, v(8)).unwrap();
        assert_eq!(
            (ok.slot(), ok.mode(), ok.values()),
            (7, SetMode::NotIn, &v(8)[..])
        );
        let repeated = vec![Fr::from(3u64), Fr::from(1u64), Fr::from(3u64)];
        let dedup = SetPredicate::new(0, SetMode::In, repeated).unwrap();
        assert_eq!(dedup.values(), &[Fr::from(3u64), Fr::from(1u64)]);
    }

    #[test]
    fn set_mode_codes() {
        assert_eq!(SetMode::from_code(0), Ok(None));
        for mode in [SetMode::In, SetMode::NotIn] {
            assert_eq!(SetMode::from_code(mode.code()), Ok(Some(mode)));
        }
        for bad in [3, 4, u64::MAX] {
            assert_eq!(SetMode::from_code(bad), Err(Error::SetMode(bad)));
        }
    }

    #[test]
    fn parse_presets_and_json() {
        assert_eq!(parse("over18").unwrap(), preset("over18").unwrap());
        assert!(parse("{\"birth_date\": {\"$lte\": \"today-21y\"}}").is_ok());
        assert!(parse("over-18").is_err());
        assert!(parse("{\"birth_date\": ").is_err());
    }
}
