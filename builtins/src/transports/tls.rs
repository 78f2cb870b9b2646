//! TLS for the `http` transport: rustls with the `ring` provider, the
//! system's or the bundled (webpki) root certificates, an optional CA file,
//! and an explicit switch that turns verification off.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use registry_core::BoxError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde::Deserialize;

/// The connector the client uses: plain TCP for `http://`, rustls for
/// `https://`, the whole of connecting (DNS, TCP and the TLS handshake)
/// bounded by `connect_timeout_s`.
#[derive(Clone)]
pub struct Connector {
    inner: HttpsConnector<HttpConnector>,
    limit: Duration,
    /// `connect_timeout_s` as the config gave it, for the message.
    limit_s: f64,
}

impl tower_service::Service<Uri> for Connector {
    type Response = OpenedStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        // hyper-util polls the returned future at once: from here to the
        // stream is DNS, TCP and (for https) the TLS handshake.
        let started = Instant::now();
        let connecting = self.inner.call(uri);
        let (limit, limit_s) = (self.limit, self.limit_s);
        Box::pin(async move {
            match tokio::time::timeout(limit, connecting).await {
                Ok(connected) => connected.map(|stream| OpenedStream {
                    inner: stream,
                    opened: Opened {
                        started,
                        took: started.elapsed(),
                    },
                }),
                // An io::Error with only a message: the innermost cause, so
                // the transport's error shows exactly this.
                Err(_elapsed) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("timed out connecting after {limit_s} s (`connect_timeout_s`)"),
                )
                .into()),
            }
        })
    }
}

/// When a pooled connection was opened and how long opening it took (DNS,
/// TCP and the TLS handshake, as [`Connector`] saw them). hyper-util puts a
/// copy into the extensions of every response that comes over the
/// connection (`Connected::extra`), which is how the transport tells a
/// fresh connection from a reused one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opened {
    /// When the client asked the connector for the connection.
    pub started: Instant,
    /// From `started` to the connection being ready for a request.
    pub took: Duration,
}

/// A connection [`Connector`] opened, carrying its [`Opened`] to every
/// response; reads and writes go straight to the stream.
pub struct OpenedStream {
    inner: MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>,
    opened: Opened,
}

impl Connection for OpenedStream {
    fn connected(&self) -> Connected {
        // Added to what the stream reports (ALPN, hyper-util's HttpInfo).
        self.inner.connected().extra(self.opened)
    }
}

impl Read for OpenedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl Write for OpenedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Which certificates a server's chain must lead to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Roots {
    /// The operating system's store (e.g. `/etc/ssl/certs`), as curl uses.
    #[default]
    System,
    /// The Mozilla roots bundled in the binary (`webpki-roots`): the same
    /// on every machine.
    Webpki,
}

/// `transport.config.tls` of the `http` transport.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// The root certificates trusted. Default `system`.
    pub roots: Roots,
    /// A PEM file of further CA certificates to trust (e.g. a self-signed
    /// test server's).
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate: no protection against a man in the middle.
    /// For test servers only; a warning is printed when it is used.
    pub insecure: bool,
}

/// The connector for a client whose base URL has `scheme`, giving up on a
/// connection not established within `connect_timeout` (`connect_timeout_s`
/// seconds, as configured). Root certificates are loaded only for `https`
/// (reading the system store costs milliseconds a plain-HTTP benchmark
/// should not pay).
pub fn connector(
    mut http: HttpConnector,
    scheme: &str,
    config: &TlsConfig,
    connect_timeout: Duration,
    connect_timeout_s: f64,
) -> Result<Connector, BoxError> {
    http.enforce_http(false);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    let tls = if config.insecure {
        if scheme == "https" {
            tracing::warn!(
                "transport.config.tls.insecure is set: server certificates are NOT verified; \
                 anyone on the path can read and change this benchmark's traffic"
            );
        }
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let roots = if scheme == "https" {
            root_store(config)?
        } else {
            RootCertStore::empty()
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    let inner = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(Connector {
        inner,
        limit: connect_timeout,
        limit_s: connect_timeout_s,
    })
}

/// The trusted roots: the chosen store plus the CA file.
fn root_store(config: &TlsConfig) -> Result<RootCertStore, BoxError> {
    let mut store = RootCertStore::empty();
    match config.roots {
        Roots::System => {
            let loaded = rustls_native_certs::load_native_certs();
            let (added, _ignored) = store.add_parsable_certificates(loaded.certs);
            if added == 0 {
                tracing::warn!(
                    "no usable root certificate in the system store; using the bundled \
                     (webpki) roots instead (set transport.config.tls.roots: webpki to say so)"
                );
                store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
        }
        Roots::Webpki => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    if let Some(path) = &config.ca_file {
        let shown = path.display();
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("invalid config: `tls.ca_file` {shown}: {e}"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("invalid config: `tls.ca_file` {shown}: {e}"))?;
        if certs.is_empty() {
            return Err(format!(
                "invalid config: `tls.ca_file` {shown} holds no PEM certificate \
                 (-----BEGIN CERTIFICATE-----)"
            )
            .into());
        }
        for cert in certs {
            store
                .add(cert)
                .map_err(|e| format!("invalid config: `tls.ca_file` {shown}: {e}"))?;
        }
    }
    Ok(store)
}

/// `insecure: true`: every certificate is accepted; handshake signatures
/// are still checked (a broken handshake still fails).
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
