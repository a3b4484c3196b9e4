//! Where webhooks may be sent: never to an address the operator has not allowed. By default
//! private, loopback, link-local and other non-public addresses are refused (checked on every
//! address a name resolves to, at creation and again before every connection), so a
//! subscription cannot be used to probe the internal network. In development, plain `http`
//! to loopback is allowed, for a receiver on the developer's machine.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use crate::FieldError;

/// Longest accepted URL.
pub const MAX_URL_LENGTH: usize = 2000;

/// A block of addresses the operator allows (`EMPOWER_WEBHOOK_ALLOWED_NETWORKS`), such as
/// `10.20.0.0/16` or `fd00:1::/64`; a bare address is a block of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    /// Reads `address/prefix` or an address.
    pub fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.trim().parse().ok()?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Self { address, prefix })
    }

    /// Whether `ip` is in the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| -> (u128, u8) {
            match ip {
                IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
                IpAddr::V6(v6) => (u128::from(v6), 128),
            }
        };
        let (net, width) = bits(self.address);
        let (addr, addr_width) = bits(ip);
        if width != addr_width {
            return false;
        }
        let shift = u32::from(width - self.prefix);
        if shift >= 128 {
            return true;
        }
        (net >> shift) == (addr >> shift)
    }
}

/// What kind of address an IP is, as far as sending webhooks is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Reachable on the internet.
    Public,
    /// This machine (127.0.0.0/8, ::1).
    Loopback,
    /// A private network (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7).
    Private,
    /// Link-local (169.254/16, fe80::/10): cloud metadata services live here.
    LinkLocal,
    /// Anything else that is not a unicast internet address (unspecified, broadcast, multicast,
    /// documentation, reserved).
    Special,
}

/// Classifies an address; IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are
/// judged by the IPv4 address.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        AddressClass::Private
    } else if ip.is_link_local() {
        AddressClass::LinkLocal
    } else if a == 0
        || a >= 224
        || ip.is_documentation()
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
    {
        AddressClass::Special
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let segments = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address they embed.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return classify_v4(embedded(segments[6], segments[7]));
    }
    // Local-use NAT64 (64:ff9b:1::/48) translates inside a network of its own.
    if segments[..3] == [0x64, 0xff9b, 1] {
        return AddressClass::Private;
    }
    if segments[0] == 0x2002 {
        return classify_v4(embedded(segments[1], segments[2]));
    }
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if segments[0] & 0xfe00 == 0xfc00 {
        AddressClass::Private
    } else if segments[0] & 0xffc0 == 0xfe80 || segments[0] & 0xffc0 == 0xfec0 {
        AddressClass::LinkLocal
    } else if ip.is_unspecified()
        || ip.is_multicast()
        || segments[0..2] == [0x2001, 0x0db8]
        || segments[0..2] == [0x2001, 0]
        || segments[0] == 0
    {
        // The rest of ::/8 holds the deprecated IPv4-compatible form and other reserved space.
        AddressClass::Special
    } else {
        AddressClass::Public
    }
}

/// The operator's rule for outgoing webhook requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Development: plain `http` to loopback is allowed (`http://127.0.0.1`, `localhost`).
    pub allow_loopback: bool,
    /// Blocks the operator allows although they are not public.
    pub allowed_networks: Vec<Network>,
}

impl AddressPolicy {
    /// Whether a request may go to `ip`.
    pub fn allows(&self, ip: IpAddr) -> bool {
        match classify(ip) {
            AddressClass::Public => true,
            AddressClass::Loopback if self.allow_loopback => true,
            _ => self.allowed_networks.iter().any(|n| n.contains(ip)),
        }
    }

    /// Checks a subscription's URL as written: `https` (or `http` to loopback in
    /// development), a host, no credentials, no fragment; an address written as an IP must be
    /// allowed. Names are checked once resolved ([`AddressPolicy::allows`]), by the caller.
    pub fn check_url(&self, text: &str, pointer: &str) -> Result<Url, FieldError> {
        let refuse = |detail: &str| FieldError::new(pointer, detail);
        if text.chars().count() > MAX_URL_LENGTH {
            return Err(refuse("must be at most 2000 characters"));
        }
        if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(refuse("must not contain blanks or control characters"));
        }
        let url = Url::parse(text).map_err(|_| refuse("must be an absolute https URL"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse(
                "must not carry credentials (use the signature to authenticate)",
            ));
        }
        if url.fragment().is_some() {
            return Err(refuse("must not have a fragment"));
        }
        let loopback_name = match url.host() {
            Some(Host::Domain(name)) => is_loopback_name(name),
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => return Err(refuse("must name a host")),
        };
        match url.scheme() {
            "https" => {}
            "http" if self.allow_loopback && loopback_name => {}
            "http" if loopback_name => {
                return Err(refuse(
                    "must use https (plain http to loopback is for development only)",
                ));
            }
            _ => return Err(refuse("must use https")),
        }
        let ip = match url.host() {
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ if loopback_name => Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            _ => None,
        };
        if let Some(ip) = ip.filter(|ip| !self.allows(*ip)) {
            return Err(refuse(&not_allowed(ip)));
        }
        Ok(url)
    }
}

/// `localhost` and its subdomains, which resolve to loopback whatever DNS says (RFC 6761).
pub fn is_loopback_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Why a request to `ip` is refused.
pub fn not_allowed(ip: IpAddr) -> String {
    format!("must not reach {}", refused_address(ip))
}

/// A refused address in words: "a private address (10.0.0.1) the operator has not allowed".
pub fn refused_address(ip: IpAddr) -> String {
    let kind = match classify(ip) {
        AddressClass::Loopback => "a loopback",
        AddressClass::Private => "a private",
        AddressClass::LinkLocal => "a link-local",
        AddressClass::Special | AddressClass::Public => "a non-public",
    };
    format!("{kind} address ({ip}) the operator has not allowed")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn only_public_unicast_addresses_pass_by_default() {
        let policy = AddressPolicy::default();
        for public in [
            "93.184.215.14",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(policy.allows(ip(public)), "{public}");
        }
        for refused in [
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "10.0.0.1",
            "172.16.5.4",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "fe80::1",
            "fd00::1",
            "fc00::1",
            "0.0.0.0",
            "::",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "64:ff9b:1::808:808",
            "2002:a00:1::",
            "2002:7f00:1::",
            "::127.0.0.1",
            "ff02::1",
        ] {
            assert!(!policy.allows(ip(refused)), "{refused}");
        }
        assert!(policy.allows(ip("172.32.0.1")) && policy.allows(ip("100.128.0.1")));
    }

    #[test]
    fn development_allows_loopback_and_operators_allow_networks() {
        let dev = AddressPolicy {
            allow_loopback: true,
            allowed_networks: vec![],
        };
        assert!(dev.allows(ip("127.0.0.1")) && dev.allows(ip("::1")));
        assert!(!dev.allows(ip("10.0.0.1")) && !dev.allows(ip("169.254.169.254")));
        let operator = AddressPolicy {
            allow_loopback: false,
            allowed_networks: ["10.20.0.0/16", "fd00:1::/64", "192.168.1.7"]
                .iter()
                .filter_map(|n| Network::parse(n))
                .collect(),
        };
        assert_eq!(operator.allowed_networks.len(), 3);
        assert!(operator.allows(ip("10.20.3.4")) && operator.allows(ip("fd00:1::9")));
        assert!(operator.allows(ip("192.168.1.7")) && !operator.allows(ip("192.168.1.8")));
        assert!(!operator.allows(ip("10.21.0.1")) && !operator.allows(ip("127.0.0.1")));
        assert!(Network::parse("0.0.0.0/0").is_some_and(|n| n.contains(ip("10.0.0.1"))));
        for bad in ["10.0.0.0/33", "fd00::/129", "ten", "10.0.0.0/x", ""] {
            assert!(Network::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn urls_are_https_without_credentials_and_not_aimed_inside() {
        let production = AddressPolicy::default();
        let dev = AddressPolicy {
            allow_loopback: true,
            allowed_networks: vec![],
        };
        assert!(
            production
                .check_url("https://hooks.example.org/empower?x=1", "/url")
                .is_ok()
        );
        for refused in [
            "http://hooks.example.org/",
            "ftp://hooks.example.org/",
            "https://user:pw@hooks.example.org/",
            "https://hooks.example.org/#frag",
            "https://10.0.0.1/hook",
            "https://[fd00::1]/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://127.0.0.1/hook",
            "https://localhost/hook",
            "https://api.localhost./hook",
            "http://127.0.0.1:9000/hook",
            "https://0x7f.1/hook",
            "https://2130706433/hook",
            "not a url",
            "https://hooks.example.org/\u{0}",
            "/relative",
        ] {
            assert!(production.check_url(refused, "/url").is_err(), "{refused}");
        }
        let long = format!("https://hooks.example.org/{}", "a".repeat(MAX_URL_LENGTH));
        assert!(production.check_url(&long, "/url").is_err());
        assert!(dev.check_url("http://127.0.0.1:9000/hook", "/url").is_ok());
        assert!(dev.check_url("http://localhost:9000/hook", "/url").is_ok());
        assert!(dev.check_url("http://[::1]:9000/hook", "/url").is_ok());
        assert!(dev.check_url("http://hooks.example.org/", "/url").is_err());
        assert!(dev.check_url("https://10.0.0.1/", "/url").is_err());
    }
}
