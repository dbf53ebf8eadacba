//! TLS for the Clerk client: the operating system's trust store, exactly as reqwest would set it
//! up by default (rustls with `rustls-platform-verifier`), except that the trust store is loaded on
//! a background thread while the first connections are being opened, instead of before anything
//! can start. Loading it reads and parses every certificate under `/etc/ssl/certs` (≈ 5 ms on a
//! small machine); a TLS connection needs it only when the server's certificate arrives, one TCP
//! round trip and a TLS flight later. Verification itself is unchanged and never skipped: the first
//! certificate check waits for the store if it is not loaded yet.

use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_platform_verifier::Verifier;

type Loaded = Result<Verifier, rustls::Error>;

/// The platform verifier, loaded in the background; see the module documentation.
#[derive(Debug)]
struct BackgroundVerifier {
    provider: Arc<CryptoProvider>,
    loading: Mutex<Option<JoinHandle<Loaded>>>,
    loaded: OnceLock<Loaded>,
}

impl BackgroundVerifier {
    fn start(provider: Arc<CryptoProvider>) -> Self {
        let for_thread = provider.clone();
        let loading = std::thread::Builder::new()
            .name("clerk-drift-trust-store".into())
            .spawn(move || Verifier::new(for_thread))
            .ok();
        BackgroundVerifier {
            provider,
            loading: Mutex::new(loading),
            loaded: OnceLock::new(),
        }
    }

    /// The loaded verifier, waiting for the background load the first time.
    fn get(&self) -> Result<&Verifier, rustls::Error> {
        let loaded = self.loaded.get_or_init(|| {
            let handle = self.loading.lock().ok().and_then(|mut h| h.take());
            match handle.map(JoinHandle::join) {
                Some(Ok(loaded)) => loaded,
                // The thread could not be started or panicked: load here.
                Some(Err(_)) | None => Verifier::new(self.provider.clone()),
            }
        });
        loaded.as_ref().map_err(Clone::clone)
    }
}

impl ServerCertVerifier for BackgroundVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.get()?
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.get()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.get()?.verify_tls13_signature(message, cert, dss)
    }

    /// Asked for the ClientHello, before any certificate: the same list the platform verifier
    /// gives (its WebPKI verifier's, which comes from the provider), without waiting for the store.
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The client TLS configuration: reqwest's default (provider, protocol versions, ALPN `h2` then
/// `http/1.1`, SNI) with the trust store loading in the background from now on.
pub fn client_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(BackgroundVerifier::start(provider)))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_match_the_platform_verifier() {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let background = BackgroundVerifier::start(provider.clone());
        let Ok(platform) = Verifier::new(provider) else {
            // No system trust store on this machine: both fail alike.
            assert!(background.get().is_err());
            return;
        };
        assert_eq!(
            background.supported_verify_schemes(),
            platform.supported_verify_schemes()
        );
        assert!(background.get().is_ok());
    }

    #[test]
    fn a_certificate_that_chains_to_no_trusted_root_is_refused() {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let background = BackgroundVerifier::start(provider);
        if background.get().is_err() {
            return; // no system trust store here
        }
        // Not a certificate at all, and certainly not one a system root signed.
        let bogus = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x01]);
        let name = ServerName::try_from("api.clerk.com").expect("a valid name");
        let verdict = background.verify_server_cert(&bogus, &[], &name, &[], UnixTime::now());
        assert!(verdict.is_err());
    }
}
