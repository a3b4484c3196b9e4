//! Sending one delivery: a signed POST that never reaches an address the operator has not
//! allowed. Names are resolved by [`CheckedResolver`], which hands the HTTP client only allowed
//! addresses, so the address checked is the address connected to (no DNS rebinding between
//! the two); addresses written as IPs are checked before the request; redirects are not
//! followed and no proxy is used.

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use empower_domain::DomainError;
use empower_domain::webhooks::address::{AddressPolicy, is_loopback_name, refused_address};
use empower_domain::webhooks::queue::{Claimed, Outcome};
use empower_domain::webhooks::signature;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Host;

/// How long resolving a name may take when a subscription is created or changed.
const CHECK_RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

/// Why a name was not connected to.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(String);

/// A resolver that keeps only the addresses the policy allows.
#[derive(Debug, Clone)]
pub struct CheckedResolver {
    policy: Arc<AddressPolicy>,
}

/// What `host` resolves to: `localhost` and its subdomains only to loopback, whatever a
/// resolver says (RFC 6761).
async fn lookup(host: &str) -> std::io::Result<Vec<SocketAddr>> {
    let found = tokio::net::lookup_host((host, 0)).await?;
    Ok(if is_loopback_name(host) {
        found.filter(|a| a.ip().is_loopback()).collect()
    } else {
        found.collect()
    })
}

/// The allowed addresses of `host`, or why there are none.
pub async fn resolve_allowed(
    host: &str,
    policy: &AddressPolicy,
) -> Result<Vec<SocketAddr>, String> {
    let found = lookup(host)
        .await
        .map_err(|_| format!("`{host}` does not resolve"))?;
    let refused = found
        .iter()
        .find(|a| !policy.allows(a.ip()))
        .map(|a| a.ip());
    let allowed: Vec<SocketAddr> = found
        .into_iter()
        .filter(|a| policy.allows(a.ip()))
        .collect();
    match (allowed.is_empty(), refused) {
        (true, Some(ip)) => Err(format!("`{host}` resolves to {}", refused_address(ip))),
        (true, None) => Err(format!("`{host}` does not resolve")),
        (false, _) => Ok(allowed),
    }
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        Box::pin(async move {
            let allowed = resolve_allowed(name.as_str(), &policy)
                .await
                .map_err(|why| Box::new(Refused(why)) as Box<dyn StdError + Send + Sync>)?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Checks where a subscription's URL leads, when it is set: every address its name resolves to
/// must be allowed (a name that does not resolve yet is accepted: sending checks again).
pub async fn check_destination(url: &str, policy: &AddressPolicy) -> Result<(), DomainError> {
    // A URL its own rules refuse is reported with the other fields' problems, unresolved.
    let Ok(parsed) = policy.check_url(url, "/url") else {
        return Ok(());
    };
    let Some(Host::Domain(host)) = parsed.host() else {
        return Ok(());
    };
    let Ok(Ok(found)) = tokio::time::timeout(CHECK_RESOLVE_TIMEOUT, lookup(host)).await else {
        return Ok(());
    };
    for address in found {
        if !policy.allows(address.ip()) {
            return Err(DomainError::invalid(
                "/url",
                format!("resolves to {}", refused_address(address.ip())),
            ));
        }
    }
    Ok(())
}

/// Sends deliveries.
#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    timeout: Duration,
}

impl Sender {
    /// A sender with a timeout per attempt.
    pub fn new(policy: AddressPolicy, timeout: Duration) -> Result<Self, reqwest::Error> {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .dns_resolver(Arc::new(CheckedResolver {
                policy: Arc::clone(&policy),
            }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("Empower-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            policy,
            timeout,
        })
    }

    /// Makes one attempt at a claimed delivery.
    pub async fn send(&self, claimed: &Claimed) -> Outcome {
        let attempted_at = Utc::now();
        let started = Instant::now();
        let outcome = |status_code: Option<u16>, error: Option<String>| Outcome {
            attempted_at,
            duration: started.elapsed(),
            status_code,
            error,
        };
        // The URL was checked when it was set; the policy may have changed since.
        if let Err(refused) = self.policy.check_url(&claimed.url, "url") {
            return outcome(None, Some(format!("not sent: the URL {}", refused.detail)));
        }
        let id = claimed.delivery.id.to_string();
        let timestamp = Utc::now().timestamp();
        let secrets: Vec<&str> = claimed.secrets.iter().map(String::as_str).collect();
        let body = claimed.delivery.payload.clone().into_bytes();
        let signature = signature::header(&secrets, &id, timestamp, &body);
        let sent = self
            .client
            .post(&claimed.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) => outcome(Some(response.status().as_u16()), None),
            Err(error) => outcome(None, Some(self.describe(&error))),
        }
    }

    /// What went wrong, in words the subscription's owner can act on (no internals).
    fn describe(&self, error: &reqwest::Error) -> String {
        let mut source: Option<&dyn StdError> = error.source();
        while let Some(cause) = source {
            if let Some(refused) = cause.downcast_ref::<Refused>() {
                return format!("not sent: {refused}");
            }
            source = cause.source();
        }
        if error.is_timeout() {
            format!("no answer within {} s", self.timeout.as_secs())
        } else if error.is_connect() {
            "could not connect to the receiver".into()
        } else {
            "the connection failed before an answer".into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn names_are_checked_once_resolved() {
        let production = AddressPolicy::default();
        // `localhost` resolves from the hosts file, without a network.
        let refused = resolve_allowed("localhost", &production).await;
        assert!(
            refused.as_ref().is_err_and(|why| why.contains("loopback")),
            "{refused:?}"
        );
        let development = AddressPolicy {
            allow_loopback: true,
            allowed_networks: vec![],
        };
        let allowed = resolve_allowed("localhost", &development)
            .await
            .unwrap_or_default();
        assert!(!allowed.is_empty() && allowed.iter().all(|a| a.ip().is_loopback()));
        // An IP is "resolved" to itself: a private one is refused.
        assert!(resolve_allowed("10.1.2.3", &development).await.is_err());
        assert!(
            resolve_allowed("169.254.169.254", &development)
                .await
                .is_err()
        );
    }
}
