//! Which headers cross the instance-origin proxy, in each direction and zone. The editor zone (the
//! editor and its admin API) is redstage's own conversation with Node-RED: a short allowlist each
//! way. The flow zone is other people's API: a flow must see the request as Node-RED would see it
//! directly (custom headers, its own cookies, the client's `Authorization` for basic auth), so
//! everything passes except what is ours or hop-by-hop; answers pass except what would widen a
//! flow's reach beyond its own origin.

/// Which part of an instance origin a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// Under the editor prefix: the editor, its admin API and `/comms`.
    Editor,
    /// Anywhere else: the flows' endpoints.
    Flow,
}

/// The editor session cookie on instance origins.
pub const EDITOR_COOKIE: &str = "redstage_editor";
/// The platform's session cookie (host-only, so browsers never send it here; dropped anyway).
pub const PLATFORM_COOKIE: &str = crate::web::session::SESSION_COOKIE;

/// Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded either way.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "proxy-authenticate",
    "proxy-authorization",
];

/// What the editor's own requests need.
const EDITOR_REQUEST: [&str; 12] = [
    "accept",
    "accept-language",
    "cache-control",
    "content-type",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "node-red-api-version",
    "node-red-deployment-type",
    "pragma",
    "range",
    "x-requested-with",
];

/// What the editor's answers need.
const EDITOR_RESPONSE: [&str; 13] = [
    "accept-ranges",
    "cache-control",
    "content-disposition",
    "content-language",
    "content-range",
    "content-type",
    "etag",
    "expires",
    "last-modified",
    "location",
    "node-red-api-version",
    "retry-after",
    "vary",
];

/// Headers a flow's answer may not set: they reach beyond the page (service worker scope,
/// wiping the browser's data for the site, moving the origin to other ports or hosts).
const NEVER_FROM_FLOWS: [&str; 4] = [
    "service-worker-allowed",
    "clear-site-data",
    "alt-svc",
    "public-key-pins",
];

/// Whether request header `name` (lowercase) goes to the runtime. `Host`, `Cookie` and the
/// `X-Forwarded-*` headers are set by the proxy itself.
pub fn forward_request(zone: Zone, name: &str) -> bool {
    if HOP_BY_HOP.contains(&name)
        || matches!(
            name,
            "host" | "cookie" | "content-length" | "forwarded" | "x-real-ip"
        )
        || name.starts_with("x-forwarded-")
        || name.starts_with("x-redstage-")
    {
        return false;
    }
    match zone {
        Zone::Editor => EDITOR_REQUEST.contains(&name),
        Zone::Flow => true,
    }
}

/// The `Cookie` header a flow gets: the client's cookies without ours; None when none are left.
pub fn flow_cookies(header: &str) -> Option<String> {
    let kept: Vec<&str> = header
        .split(';')
        .map(str::trim)
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or_default().trim();
            !pair.is_empty() && name != EDITOR_COOKIE && name != PLATFORM_COOKIE
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join("; "))
}

/// Whether response header `name` (lowercase) with `value` goes back to the browser.
pub fn forward_response(zone: Zone, name: &str, value: &str) -> bool {
    if HOP_BY_HOP.contains(&name) || name == "content-length" {
        return false;
    }
    match zone {
        Zone::Editor => EDITOR_RESPONSE.contains(&name),
        Zone::Flow if name == "set-cookie" => flow_cookie_allowed(value),
        Zone::Flow => !NEVER_FROM_FLOWS.contains(&name),
    }
}

/// A flow may set host-only cookies of its own, never one for a wider `Domain` (every instance
/// of the domain, or the platform) nor one named like ours.
fn flow_cookie_allowed(value: &str) -> bool {
    let mut parts = value.split(';');
    let name = parts
        .next()
        .and_then(|pair| pair.split('=').next())
        .map(str::trim)
        .unwrap_or_default();
    let widened = parts.any(|attribute| {
        let key = attribute.split('=').next().unwrap_or_default().trim();
        key.eq_ignore_ascii_case("domain")
    });
    !widened && !name.is_empty() && name != EDITOR_COOKIE && name != PLATFORM_COOKIE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_gets_an_allowlist_and_flows_everything_but_ours() {
        assert!(forward_request(Zone::Editor, "node-red-api-version"));
        assert!(!forward_request(Zone::Editor, "x-api-key"));
        assert!(
            !forward_request(Zone::Editor, "authorization"),
            "the proxy adds its own"
        );
        for theirs in [
            "x-api-key",
            "x-hub-signature-256",
            "authorization",
            "user-agent",
        ] {
            assert!(forward_request(Zone::Flow, theirs), "{theirs}");
        }
        for ours in [
            "cookie",
            "host",
            "x-forwarded-for",
            "forwarded",
            "x-redstage-proxy",
            "upgrade",
        ] {
            assert!(!forward_request(Zone::Flow, ours), "{ours}");
        }
    }

    #[test]
    fn flows_keep_their_cookies_and_never_see_ours() {
        let header = "theme=dark; redstage_editor=secret; sid=1; redstage_session=x";
        assert_eq!(flow_cookies(header).as_deref(), Some("theme=dark; sid=1"));
        assert_eq!(flow_cookies("redstage_editor=secret"), None);
    }

    #[test]
    fn flow_answers_cannot_widen_their_reach() {
        assert!(forward_response(
            Zone::Flow,
            "set-cookie",
            "sid=1; Path=/; HttpOnly"
        ));
        assert!(!forward_response(
            Zone::Flow,
            "set-cookie",
            "sid=1; Domain=localhost"
        ));
        assert!(!forward_response(
            Zone::Flow,
            "set-cookie",
            "sid=1; path=/; domain=.x"
        ));
        assert!(!forward_response(
            Zone::Flow,
            "set-cookie",
            "redstage_editor=forged"
        ));
        assert!(!forward_response(Zone::Flow, "service-worker-allowed", "/"));
        assert!(!forward_response(Zone::Flow, "clear-site-data", "\"*\""));
        assert!(forward_response(Zone::Flow, "x-total-count", "3"));
        assert!(forward_response(
            Zone::Flow,
            "access-control-allow-origin",
            "*"
        ));
        assert!(!forward_response(Zone::Editor, "set-cookie", "a=b"));
        assert!(forward_response(Zone::Editor, "content-type", "text/html"));
    }
}
