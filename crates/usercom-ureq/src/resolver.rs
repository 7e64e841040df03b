//! Host names resolved once per bounded lifetime, not once per request.
//!
//! ureq resolves a request's host before it looks in its connection pool, and with a timeout
//! set its default resolver does so on a new thread: a thread and a DNS lookup for every page
//! of a listing. This resolver answers an IP address without any lookup, and keeps a name's
//! addresses for [`TTL`], so a pooled connection is reused without either. A lookup that does
//! happen still runs within the connect timeout.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a name's addresses are kept.
pub(crate) const TTL: Duration = Duration::from_secs(60);

/// At most this many names are kept; a client talks to one or two hosts.
const MAX_NAMES: usize = 64;

/// A name lookup that failed: the name does not resolve (or no resolver answered).
#[derive(Debug)]
pub(crate) struct ResolveFailed {
    host: String,
    source: std::io::Error,
}

impl std::fmt::Display for ResolveFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no address for {}: {}", self.host, self.source)
    }
}

impl std::error::Error for ResolveFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A resolver that answers IP addresses itself and caches names for a bounded time.
#[derive(Debug)]
pub(crate) struct CachingResolver<R = DefaultResolver> {
    inner: R,
    ttl: Duration,
    names: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl CachingResolver {
    /// Over ureq's default resolver.
    pub(crate) fn new() -> Self {
        Self::over(DefaultResolver::default(), TTL)
    }
}

impl<R: Resolver> CachingResolver<R> {
    pub(crate) fn over(inner: R, ttl: Duration) -> Self {
        Self {
            inner,
            ttl,
            names: Mutex::new(HashMap::new()),
        }
    }
}

fn default_port(uri: &Uri) -> Option<u16> {
    match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    }
}

impl<R: Resolver> Resolver for CachingResolver<R> {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let Some(authority) = uri.authority() else {
            return self.inner.resolve(uri, config, timeout);
        };
        let Some(port) = authority.port_u16().or_else(|| default_port(uri)) else {
            return self.inner.resolve(uri, config, timeout);
        };
        let host = authority.host();
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            let mut addresses = self.inner.empty();
            addresses.push(SocketAddr::new(ip, port));
            return Ok(addresses);
        }
        let key = format!("{host}:{port}");
        let now = Instant::now();
        {
            let names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((at, addresses)) = names.get(&key)
                && now.duration_since(*at) < self.ttl
            {
                return Ok(addresses.clone());
            }
        }
        let addresses = self
            .inner
            .resolve(uri, config, timeout)
            .map_err(|error| match error {
                ureq::Error::Io(io) => ureq::Error::Other(Box::new(ResolveFailed {
                    host: host.to_owned(),
                    source: io,
                })),
                other => other,
            })?;
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        if names.len() >= MAX_NAMES {
            names.retain(|_, (at, _)| now.duration_since(*at) < self.ttl);
            if names.len() >= MAX_NAMES {
                names.clear();
            }
        }
        names.insert(key, (now, addresses.clone()));
        Ok(addresses)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// Answers every name with 127.0.0.1 and counts the lookups.
    #[derive(Debug, Default)]
    struct Counting(AtomicU32);

    impl Resolver for Counting {
        fn resolve(
            &self,
            uri: &Uri,
            _config: &Config,
            _timeout: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            self.0.fetch_add(1, Ordering::SeqCst);
            let port = uri.port_u16().unwrap_or(443);
            let mut addresses = self.empty();
            addresses.push(SocketAddr::from(([127, 0, 0, 1], port)));
            Ok(addresses)
        }
    }

    fn resolve(resolver: &CachingResolver<Counting>, uri: &str) -> Vec<SocketAddr> {
        let config = Config::default();
        let uri: Uri = uri.parse().unwrap();
        resolver
            .resolve(&uri, &config, NextTimeout::default())
            .unwrap()
            .iter()
            .copied()
            .collect()
    }

    #[test]
    fn addresses_need_no_lookup() {
        let resolver = CachingResolver::over(Counting::default(), TTL);
        assert_eq!(
            resolve(&resolver, "http://127.0.0.1:8080/api/public/"),
            [SocketAddr::from(([127, 0, 0, 1], 8080))]
        );
        assert_eq!(
            resolve(&resolver, "https://[::1]/x/"),
            ["[::1]:443".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(resolver.inner.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_name_is_looked_up_once_per_lifetime_and_per_port() {
        let resolver = CachingResolver::over(Counting::default(), TTL);
        for _ in 0..5 {
            resolve(&resolver, "https://acme.user.com/api/public/users/");
        }
        assert_eq!(resolver.inner.0.load(Ordering::SeqCst), 1);
        resolve(&resolver, "https://acme.user.com:8443/api/public/");
        assert_eq!(resolver.inner.0.load(Ordering::SeqCst), 2);

        let expiring = CachingResolver::over(Counting::default(), Duration::ZERO);
        resolve(&expiring, "https://acme.user.com/");
        resolve(&expiring, "https://acme.user.com/");
        assert_eq!(expiring.inner.0.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let resolver = CachingResolver::over(Counting::default(), TTL);
        for n in 0..(MAX_NAMES * 3) {
            resolve(&resolver, &format!("https://host{n}.example/"));
        }
        let kept = resolver.names.lock().unwrap().len();
        assert!(kept <= MAX_NAMES, "{kept}");
    }
}
