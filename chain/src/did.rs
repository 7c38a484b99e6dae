//! `did:pkh` identifiers of chain accounts (CAIP-10 account ids), for alloy's [`Address`]
//! ([`zkcred_core::did`] holds the format).

use alloy::primitives::Address;

/// `did:pkh:eip155:<chain id>:<address>` with the address in lowercase hex, the form the gate
/// writes into its scope on chain.
pub fn pkh(chain_id: u64, account: Address) -> String {
    zkcred_core::did::did_pkh(chain_id, &account.0 .0)
}

/// Parses a `did:pkh:eip155:` identifier, as a user writes it (the address in any case), into
/// its chain id and address.
pub fn parse_pkh(did: &str) -> Option<(u64, Address)> {
    let rest = did.strip_prefix("did:pkh:eip155:")?;
    let (chain, account) = rest.split_once(':')?;
    if chain.is_empty() || chain.starts_with('0') || !chain.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if account.len() != 42 || !account.starts_with("0x") {
        return None;
    }
    Some((chain.parse().ok()?, account.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let a: Address = "0x00000000000000000000000000000000000000ab"
            .parse()
            .unwrap();
        let d = pkh(31337, a);
        assert_eq!(
            d,
            "did:pkh:eip155:31337:0x00000000000000000000000000000000000000ab"
        );
        assert_eq!(parse_pkh(&d), Some((31337, a)));
        for bad in [
            "did:pkh:eip155:0:0xab",
            "did:pkh:eip155:1:ab",
            "did:key:z6Mk",
            "did:pkh:eip155:01:0x00000000000000000000000000000000000000ab",
        ] {
            assert_eq!(parse_pkh(bad), None, "{bad}");
        }
    }
}
