//! The TLS settings of the client's own agent, as the crate's features choose them.

use std::sync::Arc;

use ureq::tls::{RootCerts, TlsConfig};

/// rustls with the crypto provider and the roots the features name: aws-lc-rs over ring
/// when both are on, the platform's verifier over Mozilla's roots when both are on.
pub(crate) fn config() -> TlsConfig {
    let builder = TlsConfig::builder().root_certs(roots());
    match provider() {
        Some(provider) => builder.unversioned_rustls_crypto_provider(provider),
        None => builder,
    }
    .build()
}

#[cfg(feature = "aws-lc-rs")]
fn provider() -> Option<Arc<rustls::crypto::CryptoProvider>> {
    Some(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
}

#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
fn provider() -> Option<Arc<rustls::crypto::CryptoProvider>> {
    Some(Arc::new(rustls::crypto::ring::default_provider()))
}

/// No provider feature: the process default, which the program installs with
/// `rustls::crypto::CryptoProvider::install_default`.
#[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
fn provider() -> Option<Arc<rustls::crypto::CryptoProvider>> {
    rustls::crypto::CryptoProvider::get_default().cloned()
}

#[cfg(feature = "native-roots")]
fn roots() -> RootCerts {
    RootCerts::PlatformVerifier
}

#[cfg(all(feature = "webpki-roots", not(feature = "native-roots")))]
fn roots() -> RootCerts {
    RootCerts::WebPki
}

/// No roots feature: nothing is trusted, so every https request fails with a certificate
/// error; pass an agent of your own to [`Client::with_agent`](crate::Client::with_agent).
#[cfg(not(any(feature = "webpki-roots", feature = "native-roots")))]
fn roots() -> RootCerts {
    RootCerts::Specific(Arc::new(Vec::new()))
}

/// Why an https request cannot be made with this agent, if it cannot: with no provider
/// feature, ureq needs a process default or a provider on the agent's TLS config.
#[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
pub(crate) fn missing_provider(agent: &ureq::Agent) -> Option<&'static str> {
    let configured = agent
        .config()
        .tls_config()
        .unversioned_rustls_crypto_provider()
        .is_some();
    (!configured && rustls::crypto::CryptoProvider::get_default().is_none()).then_some(
        "no rustls crypto provider: enable the `ring` or `aws-lc-rs` feature of usercom-ureq, \
         or install one with rustls::crypto::CryptoProvider::install_default",
    )
}

/// A provider feature is on: always one.
#[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
pub(crate) fn missing_provider(_agent: &ureq::Agent) -> Option<&'static str> {
    None
}
