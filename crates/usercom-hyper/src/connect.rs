//! How the client reaches the API: name resolution that says when a name does not resolve,
//! a CONNECT tunnel when a proxy is configured, TLS as the features choose it, and the
//! kind of every transport failure.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{self, Poll};

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::{GaiAddrs, GaiResolver, Name};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;
use usercom_core::{ClientOptions, Error, TransportErrorKind};

type BoxError = Box<dyn StdError + Send + Sync>;

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

impl StdError for ResolveFailed {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

/// The system resolver, whose failures say which name did not resolve.
#[derive(Clone, Debug)]
pub(crate) struct Resolver(GaiResolver);

impl Service<Name> for Resolver {
    type Response = GaiAddrs;
    type Error = ResolveFailed;
    type Future = Pin<Box<dyn Future<Output = Result<GaiAddrs, ResolveFailed>> + Send>>;

    fn poll_ready(&mut self, cx: &mut task::Context<'_>) -> Poll<Result<(), ResolveFailed>> {
        self.0.poll_ready(cx).map_err(|source| ResolveFailed {
            host: String::new(),
            source,
        })
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let host = name.as_str().to_owned();
        let lookup = self.0.call(name);
        Box::pin(async move {
            lookup
                .await
                .map_err(|source| ResolveFailed { host, source })
        })
    }
}

/// TCP straight to the host, or through a CONNECT tunnel of the proxy.
#[derive(Clone, Debug)]
pub(crate) enum Connector {
    Direct(HttpConnector<Resolver>),
    Tunnel(Tunnel<HttpConnector<Resolver>>),
}

impl Connector {
    pub(crate) fn new(options: &ClientOptions, proxy: Option<&url::Url>) -> Result<Self, Arc<str>> {
        let mut tcp = HttpConnector::new_with_resolver(Resolver(GaiResolver::new()));
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(options.connect_timeout));
        tcp.set_nodelay(true);
        let Some(proxy) = proxy else {
            return Ok(Self::Direct(tcp));
        };
        // The matcher reads the proxy URL's credentials into a Proxy-Authorization header.
        let intercept = hyper_util::client::proxy::matcher::Matcher::builder()
            .https(proxy.as_str())
            .build()
            .intercept(&http::Uri::from_static("https://api.invalid/"));
        let Some(intercept) = intercept else {
            return Err(Arc::from("the proxy URL cannot be used"));
        };
        let mut tunnel = Tunnel::new(intercept.uri().clone(), tcp);
        if let Some(auth) = intercept.basic_auth() {
            tunnel = tunnel.with_auth(auth.clone());
        }
        Ok(Self::Tunnel(tunnel))
    }
}

impl Service<http::Uri> for Connector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut task::Context<'_>) -> Poll<Result<(), BoxError>> {
        match self {
            Self::Direct(tcp) => tcp.poll_ready(cx).map_err(Into::into),
            Self::Tunnel(tunnel) => tunnel.poll_ready(cx).map_err(Into::into),
        }
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        match self {
            Self::Direct(tcp) => {
                let connecting = tcp.call(uri);
                Box::pin(async move { connecting.await.map_err(Into::into) })
            }
            Self::Tunnel(tunnel) => {
                let connecting = tunnel.call(uri);
                Box::pin(async move { connecting.await.map_err(Into::into) })
            }
        }
    }
}

/// The kind a cause in `error`'s chain decides, if one does.
pub(crate) fn kind_of(error: &(dyn StdError + 'static)) -> Option<TransportErrorKind> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<ResolveFailed>() {
            return Some(TransportErrorKind::Dns);
        }
        if error.is::<rustls::Error>() {
            return Some(TransportErrorKind::Tls);
        }
        // An io::Error's `source` skips what it wraps; look inside, through nested ones.
        let mut io = error.downcast_ref::<std::io::Error>();
        while let Some(inner) = io.and_then(std::io::Error::get_ref) {
            if inner.is::<rustls::Error>() {
                return Some(TransportErrorKind::Tls);
            }
            io = inner.downcast_ref::<std::io::Error>();
        }
        if let Some(hyper) = error.downcast_ref::<hyper::Error>() {
            if hyper.is_canceled() {
                // hyper gave the request back before writing any of it.
                return Some(TransportErrorKind::Connect);
            }
            if hyper.is_parse() || hyper.is_parse_status() {
                return Some(TransportErrorKind::Protocol);
            }
        }
        cause = error.source();
    }
    None
}

/// hyper-util's error shows only its kind (`client error (Connect)`); the cause says what
/// happened. This shows the cause, and keeps the whole chain as the source.
#[derive(Debug)]
struct Cause(hyper_util::client::legacy::Error);

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.source() {
            Some(cause) => write!(f, "{cause}"),
            None => write!(f, "{}", self.0),
        }
    }
}

impl StdError for Cause {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source().and_then(StdError::source)
    }
}

pub(crate) fn client_error(error: hyper_util::client::legacy::Error) -> Error {
    let kind = kind_of(&error).unwrap_or(if error.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Io
    });
    Error::transport(kind, Cause(error))
}

/// rustls with the crypto provider and the roots the features name: aws-lc-rs over ring
/// when both are on, the platform's verifier over Mozilla's roots when both are on.
pub(crate) fn tls_config() -> Result<rustls::ClientConfig, &'static str> {
    let provider = provider().ok_or(
        "no rustls crypto provider: enable the `ring` or `aws-lc-rs` feature of usercom-hyper, \
         or install one with rustls::crypto::CryptoProvider::install_default before making the \
         client",
    )?;
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|_| "the rustls crypto provider supports no safe protocol version")?;
    roots(builder, provider)
}

#[cfg(feature = "aws-lc-rs")]
fn provider() -> Option<Arc<rustls::crypto::CryptoProvider>> {
    Some(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
}

#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
fn provider() -> Option<Arc<rustls::crypto::CryptoProvider>> {
    Some(Arc::new(rustls::crypto::ring::default_provider()))
}

#[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
fn provider() -> Option<Arc<rustls::crypto::CryptoProvider>> {
    rustls::crypto::CryptoProvider::get_default().cloned()
}

type Builder = rustls::ConfigBuilder<rustls::ClientConfig, rustls::WantsVerifier>;

#[cfg(feature = "native-roots")]
fn roots(
    builder: Builder,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<rustls::ClientConfig, &'static str> {
    let verifier = rustls_platform_verifier::Verifier::new(provider)
        .map_err(|_| "the operating system's certificate store cannot be used")?;
    Ok(builder
        .dangerous()
        // Not dangerous: the platform's own verifier.
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

#[cfg(all(feature = "webpki-roots", not(feature = "native-roots")))]
fn roots(
    builder: Builder,
    _provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<rustls::ClientConfig, &'static str> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

/// No roots feature: nothing is trusted, so every https request fails with a certificate
/// error; pass a configuration of your own to `Client::with_tls_config`.
#[cfg(not(any(feature = "webpki-roots", feature = "native-roots")))]
fn roots(
    builder: Builder,
    _provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<rustls::ClientConfig, &'static str> {
    Ok(builder
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth())
}
