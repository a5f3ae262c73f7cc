//! The address a request comes from, for the limits on signing in and on comments: the
//! connection's, unless it comes from one of the reverse proxies the blog was told to trust, which
//! say whom they forward for in `X-Forwarded-For` (or, lacking it, RFC 7239 `Forwarded`). Anyone
//! else can write these headers too, so they count only from a trusted proxy.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The reverse proxies whose forwarding headers are believed: addresses and ranges.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// The proxies of a comma-separated list of addresses (`10.0.0.2`, `::1`) and ranges
    /// (`10.0.0.0/8`, `fd00::/8`); an empty list trusts none.
    pub fn parse(list: &str) -> Result<Self, String> {
        let proxies = list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("“{entry}” is neither an IP address nor a range such as 10.0.0.0/8")
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustedProxies(proxies.into()))
    }

    fn trust(&self, address: IpAddr) -> bool {
        self.0.iter().any(|proxy| proxy.contains(&address))
    }

    /// The address of the client a request comes from, over a connection from `peer`: from a
    /// trusted proxy, the nearest address in its forwarding header that is not itself a trusted
    /// proxy (the ones further away were written by whoever the proxy heard from, and could be
    /// anything).
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trust(peer) {
            return peer;
        }
        let forwarded_for = forwarding_chain(headers);
        let mut client = peer;
        for hop in forwarded_for.iter().rev() {
            let Some(address) = hop else {
                break;
            };
            client = address.to_canonical();
            if !self.trust(client) {
                break;
            }
        }
        client
    }
}

/// The addresses a request passed through, farthest first, from `X-Forwarded-For` or else
/// `Forwarded`; `None` for an entry that is not an address (`unknown`, an obfuscated name).
fn forwarding_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .map(|value| value.to_str().unwrap_or(""))
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect::<Vec<_>>()
    };
    if headers.contains_key("x-forwarded-for") {
        values("x-forwarded-for")
            .into_iter()
            .map(node_address)
            .collect()
    } else {
        values("forwarded")
            .into_iter()
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(name, _)| name.eq_ignore_ascii_case("for"))
                    .and_then(|(_, node)| node_address(node.trim_matches('"')))
            })
            .collect()
    }
}

/// The address of a node as forwarding headers write it: `192.0.2.1`, `192.0.2.1:4711`,
/// `2001:db8::1` or `[2001:db8::1]:4711`.
fn node_address(node: &str) -> Option<IpAddr> {
    node.parse::<IpAddr>()
        .ok()
        .or_else(|| node.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| {
            node.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&list.join(",")).unwrap()
    }

    fn client(trusted: &TrustedProxies, peer: &str, headers: &[(&'static str, &str)]) -> String {
        let headers: HeaderMap = headers
            .iter()
            .map(|(name, value)| {
                (
                    axum::http::HeaderName::from_static(name),
                    value.parse().unwrap(),
                )
            })
            .collect();
        trusted
            .client_address(peer.parse().unwrap(), &headers)
            .to_string()
    }

    #[test]
    fn headers_count_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        let xff = [("x-forwarded-for", "203.0.113.9")];
        assert_eq!(client(&none, "192.0.2.1", &xff), "192.0.2.1");
        let trusted = proxies(&["10.0.0.0/8", "::1"]);
        assert_eq!(client(&trusted, "192.0.2.1", &xff), "192.0.2.1");
        assert_eq!(client(&trusted, "10.1.2.3", &xff), "203.0.113.9");
        assert_eq!(client(&trusted, "::1", &xff), "203.0.113.9");
        assert_eq!(client(&trusted, "10.1.2.3", &[]), "10.1.2.3");
        assert_eq!(
            client(&trusted, "::ffff:10.1.2.3", &xff),
            "203.0.113.9",
            "an IPv4 proxy on a dual-stack socket"
        );
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let chain = [("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.7")];
        assert_eq!(client(&trusted, "10.0.0.1", &chain), "203.0.113.9");
        let split = [
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "203.0.113.9:5555, 10.0.0.7"),
        ];
        assert_eq!(client(&trusted, "10.0.0.1", &split), "203.0.113.9");
        let garbage = [("x-forwarded-for", "1.1.1.1, nonsense, 10.0.0.7")];
        assert_eq!(
            client(&trusted, "10.0.0.1", &garbage),
            "10.0.0.7",
            "what stands behind an unreadable entry is not believed"
        );
        let all_proxies = [("x-forwarded-for", "10.0.0.9, 10.0.0.7")];
        assert_eq!(client(&trusted, "10.0.0.1", &all_proxies), "10.0.0.9");
    }

    #[test]
    fn forwarded_is_read_when_x_forwarded_for_is_missing() {
        let trusted = proxies(&["10.0.0.1"]);
        let forwarded = [(
            "forwarded",
            "for=192.0.2.60;proto=http, For=\"[2001:db8:cafe::17]:4711\";by=10.0.0.1",
        )];
        assert_eq!(
            client(&trusted, "10.0.0.1", &forwarded),
            "2001:db8:cafe::17"
        );
        let unknown = [("forwarded", "for=unknown")];
        assert_eq!(client(&trusted, "10.0.0.1", &unknown), "10.0.0.1");
        let both = [
            ("forwarded", "for=192.0.2.60"),
            ("x-forwarded-for", "203.0.113.9"),
        ];
        assert_eq!(client(&trusted, "10.0.0.1", &both), "203.0.113.9");
    }

    #[test]
    fn proxies_are_addresses_or_ranges() {
        let listed = TrustedProxies::parse("10.0.0.1, fd00::/8,").unwrap();
        assert_eq!(listed.0.len(), 2);
        assert!(listed.trust("10.0.0.1".parse().unwrap()));
        assert!(!listed.trust("10.0.0.2".parse().unwrap()));
        assert!(listed.trust("fd12::1".parse().unwrap()));
        assert!(TrustedProxies::parse("").unwrap().0.is_empty(), "none");
        let wrong = TrustedProxies::parse("10.0.0.1,proxy.local").unwrap_err();
        assert!(wrong.contains("proxy.local"), "{wrong}");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }
}
