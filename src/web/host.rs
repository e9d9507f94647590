//! Which host a request is for and who sent it, as seen through the reverse proxies redstage is
//! told to trust (`REDSTAGE_TRUSTED_PROXIES`): their `X-Forwarded-Host`, `-Proto` and `-For` are
//! believed, nobody else's.

use std::net::IpAddr;

use actix_web::dev::RequestHead;
use actix_web::http::header::{HOST, HeaderMap};

/// The peers whose forwarding headers are believed.
#[derive(Debug, Clone, Copy)]
pub struct TrustedProxies<'a>(pub &'a [ipnet::IpNet]);

impl TrustedProxies<'_> {
    /// Whether `peer` is one of them.
    pub fn trusts(&self, peer: Option<IpAddr>) -> bool {
        peer.is_some_and(|ip| self.0.iter().any(|net| net.contains(&ip)))
    }

    /// The `Host` the client asked for (`name[:port]`).
    pub fn host(&self, head: &RequestHead) -> Option<String> {
        let peer = head.peer_addr.map(|a| a.ip());
        if self.trusts(peer)
            && let Some(forwarded) = first(head.headers(), "x-forwarded-host")
        {
            return Some(forwarded);
        }
        head.headers()
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| head.uri.authority().map(|a| a.as_str().to_owned()))
    }

    /// The client's address: the peer, or the address a trusted proxy says it forwards for (the
    /// rightmost one not itself a trusted proxy).
    pub fn client(&self, head: &RequestHead) -> Option<IpAddr> {
        let mut client = head.peer_addr.map(|a| a.ip());
        if !self.trusts(client) {
            return client;
        }
        let chain = forwarded_for(head.headers());
        for hop in chain.iter().rev() {
            client = Some(*hop);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }

    /// The `X-Forwarded-For` to send on: the chain a trusted proxy gave, then the peer; from
    /// anyone else only the peer.
    pub fn forwarded_for(&self, head: &RequestHead) -> String {
        let peer = head.peer_addr.map(|a| a.ip());
        let mut chain: Vec<String> = if self.trusts(peer) {
            forwarded_for(head.headers())
                .iter()
                .map(IpAddr::to_string)
                .collect()
        } else {
            Vec::new()
        };
        chain.extend(peer.map(|p| p.to_string()));
        chain.join(", ")
    }

    /// `https` when a trusted proxy says the client used it, else `http`.
    pub fn scheme(&self, head: &RequestHead) -> &'static str {
        let peer = head.peer_addr.map(|a| a.ip());
        let https = self.trusts(peer)
            && first(head.headers(), "x-forwarded-proto").is_some_and(|p| p == "https");
        if https { "https" } else { "http" }
    }
}

/// Whether a state-changing request was sent by a page of `origin` itself. Browsers send `Origin`
/// with every such request (and `Sec-Fetch-Site` where they can); it must be exactly `origin`,
/// not merely the same site: `dev.localhost` and `localhost` are the same site. A request with
/// neither header comes from no browser page (a script with its own credentials) and passes.
pub fn sent_from(headers: &HeaderMap, origin: &str) -> bool {
    if let Some(sent) = headers.get("origin") {
        return sent
            .to_str()
            .is_ok_and(|sent| sent.eq_ignore_ascii_case(origin));
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin",
        None => true,
    }
}

/// The first value of a comma-separated header, trimmed.
fn first(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    let first = value.split(',').next()?.trim();
    (!first.is_empty()).then(|| first.to_ascii_lowercase())
}

/// Every address in the `X-Forwarded-For` headers, in order; anything unparsable is skipped.
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn writes_must_come_from_exactly_the_origin() {
        let with = |pairs: &[(&str, &str)]| {
            let mut req = TestRequest::default();
            for pair in pairs {
                req = req.insert_header(*pair);
            }
            req.to_http_request().headers().clone()
        };
        let origin = "http://127.0.0.1:8080";
        assert!(sent_from(&with(&[("Origin", origin)]), origin));
        assert!(!sent_from(
            &with(&[("Origin", "http://dev.localhost:8080")]),
            origin
        ));
        assert!(!sent_from(&with(&[("Origin", "null")]), origin));
        assert!(!sent_from(
            &with(&[("Sec-Fetch-Site", "same-site")]),
            origin
        ));
        assert!(sent_from(
            &with(&[("Sec-Fetch-Site", "same-origin")]),
            origin
        ));
        assert!(sent_from(&with(&[]), origin), "no browser page sent it");
    }

    fn nets() -> Vec<ipnet::IpNet> {
        vec!["10.0.0.0/8".parse().unwrap_or_else(|e| panic!("{e}"))]
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let from = |peer: &str| {
            TestRequest::default()
                .peer_addr(
                    format!("{peer}:5000")
                        .parse()
                        .unwrap_or_else(|e| panic!("{e}")),
                )
                .insert_header(("Host", "internal:8080"))
                .insert_header(("X-Forwarded-Host", "dev.example.com"))
                .insert_header(("X-Forwarded-For", "203.0.113.9, 10.0.0.7"))
                .insert_header(("X-Forwarded-Proto", "https"))
                .to_http_request()
        };
        let (trusted, nets) = (from("10.1.2.3"), nets());
        let (head, p) = (trusted.head(), TrustedProxies(&nets));
        assert_eq!(p.host(head).as_deref(), Some("dev.example.com"));
        assert_eq!(p.client(head), "203.0.113.9".parse().ok());
        assert_eq!(p.scheme(head), "https");
        assert_eq!(p.forwarded_for(head), "203.0.113.9, 10.0.0.7, 10.1.2.3");

        let stranger = from("198.51.100.1");
        let head = stranger.head();
        assert_eq!(p.host(head).as_deref(), Some("internal:8080"));
        assert_eq!(p.client(head), "198.51.100.1".parse().ok());
        assert_eq!(p.scheme(head), "http");
        assert_eq!(p.forwarded_for(head), "198.51.100.1");
    }
}
