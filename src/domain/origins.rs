//! The origins redstage serves (DESIGN.md, "Trust boundary"): the platform's own, which serves
//! pages, forms and the API and never flow or editor content, and one per instance,
//! `{label}.{domain}`, which serves that instance's editor and flows. Which one a request is for
//! is decided here, from its `Host`, and nowhere else.

use url::Url;

use super::labels;

/// What a request's `Host` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKind {
    /// The platform origin.
    Platform,
    /// Another loopback name of the platform (`localhost` for `127.0.0.1`): sent on to it.
    PlatformAlias,
    /// An instance origin, by label.
    Instance(String),
    /// Nothing served here.
    Unknown,
}

/// The platform origin and the shape of instance origins.
#[derive(Debug, Clone)]
pub struct Origins {
    platform: Url,
    /// Scheme of instance origins.
    scheme: String,
    /// `.{domain}`, lowercase, without a port.
    suffix: String,
    /// The port in instance origins, when not the scheme's default.
    port: Option<u16>,
}

impl Origins {
    /// From the platform's public URL (e.g. `http://127.0.0.1:8080`) and the instance URL
    /// template, which holds `{label}` as its first host label (e.g.
    /// `https://{label}.nodered.example.com`); the message to show when either is unusable.
    pub fn new(public_url: &str, instance_template: &str) -> Result<Self, String> {
        let platform = Url::parse(public_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| format!("the public URL {public_url:?} is not an http(s) URL"))?;
        let probe = instance_template.replace("{label}", "label-placeholder");
        let template = Url::parse(&probe)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                format!("the instance URL {instance_template:?} is not an http(s) URL")
            })?;
        let host = template.host_str().unwrap_or_default().to_ascii_lowercase();
        let suffix = host
            .strip_prefix("label-placeholder")
            .filter(|rest| rest.starts_with('.') && rest.len() > 1)
            .ok_or_else(|| {
                format!(
                    "the instance URL {instance_template:?} must start its host with {{label}}."
                )
            })?
            .to_owned();
        if template.path() != "/" || template.query().is_some() {
            return Err(format!(
                "the instance URL {instance_template:?} must not have a path"
            ));
        }
        Ok(Self {
            scheme: template.scheme().to_owned(),
            port: template.port(),
            suffix,
            platform,
        })
    }

    /// The default instance URL template for a platform URL and an instance domain: the
    /// platform's scheme and port, `{label}.{domain}` as the host.
    pub fn default_template(public_url: &str, domain: &str) -> String {
        match Url::parse(public_url) {
            Ok(url) => {
                let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
                format!("{}://{{label}}.{domain}{port}", url.scheme())
            }
            Err(_) => format!("http://{{label}}.{domain}"),
        }
    }

    /// `http://127.0.0.1:8080`: what a browser sends as `Origin` from a platform page.
    pub fn platform_origin(&self) -> String {
        self.platform.origin().ascii_serialization()
    }

    /// An absolute URL of a platform path.
    pub fn platform_url(&self, path: &str) -> String {
        format!("{}{path}", self.platform_origin())
    }

    /// Whether the platform's cookies must be `Secure`.
    pub fn platform_is_https(&self) -> bool {
        self.platform.scheme() == "https"
    }

    /// `http://dev.localhost:8080`: the origin of the instance labelled `label`.
    pub fn instance_origin(&self, label: &str) -> String {
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        format!("{}://{label}{}{port}", self.scheme, self.suffix)
    }

    /// The host name of the instance labelled `label` (`dev.localhost`).
    pub fn instance_host(&self, label: &str) -> String {
        format!("{label}{}", self.suffix)
    }

    /// Whether instance host names are this machine's by definition (`*.localhost`), which only
    /// browsers resolve by themselves.
    pub fn instances_on_localhost(&self) -> bool {
        self.suffix == ".localhost" || self.suffix.ends_with(".localhost")
    }

    /// Whether instance origins are https (their cookies are then `Secure`).
    pub fn instances_are_https(&self) -> bool {
        self.scheme == "https"
    }

    /// Whether `origin` (an `Origin` header) is exactly the platform's.
    pub fn is_platform_origin(&self, origin: &str) -> bool {
        origin.eq_ignore_ascii_case(&self.platform_origin())
    }

    /// Whether `origin` is exactly the origin of the instance labelled `label`.
    pub fn is_instance_origin(&self, origin: &str, label: &str) -> bool {
        origin.eq_ignore_ascii_case(&self.instance_origin(label))
    }

    /// What a `Host` header (`name[:port]`) names.
    pub fn classify(&self, host: &str) -> HostKind {
        let host = host.trim().to_ascii_lowercase();
        let Some((name, port)) = split_host(&host) else {
            return HostKind::Unknown;
        };
        let platform_name = self
            .platform
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let platform_port = self.platform.port_or_known_default();
        let default_port = |scheme: &str| if scheme == "https" { 443 } else { 80 };
        let port_or = |scheme: &str| port.unwrap_or(default_port(scheme));
        if name == platform_name && Some(port_or(self.platform.scheme())) == platform_port {
            return HostKind::Platform;
        }
        let instance_port = self.port.unwrap_or(default_port(&self.scheme));
        if let Some(label) = name.strip_suffix(&self.suffix)
            && port_or(&self.scheme) == instance_port
        {
            return match labels::label(label) {
                Ok(label) if !label.contains('.') => HostKind::Instance(label),
                _ => HostKind::Unknown,
            };
        }
        let loopback = |n: &str| matches!(n, "localhost" | "127.0.0.1" | "[::1]");
        if loopback(name) && loopback(&platform_name) && Some(port_or("http")) == platform_port {
            return HostKind::PlatformAlias;
        }
        HostKind::Unknown
    }
}

/// `name[:port]` of a Host header; None when the port is not a number.
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = match host.rfind(':') {
        // An IPv6 literal without a port: `[::1]`.
        Some(at) if host.ends_with(']') || !host[at + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            (host, None)
        }
        Some(at) => (&host[..at], Some(host[at + 1..].parse().ok()?)),
        None => (host, None),
    };
    (!name.is_empty()).then_some((name, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> Origins {
        let template = Origins::default_template("http://127.0.0.1:8080", "localhost");
        Origins::new("http://127.0.0.1:8080", &template).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_default_origins_are_loopback_and_localhost_names() {
        let o = local();
        assert_eq!(o.platform_origin(), "http://127.0.0.1:8080");
        assert_eq!(o.instance_origin("dev"), "http://dev.localhost:8080");
        assert_eq!(o.classify("127.0.0.1:8080"), HostKind::Platform);
        assert_eq!(
            o.classify("DEV.localhost:8080"),
            HostKind::Instance("dev".into())
        );
        assert_eq!(o.classify("localhost:8080"), HostKind::PlatformAlias);
    }

    #[test]
    fn anything_else_is_unknown() {
        let o = local();
        for host in [
            "",
            "evil.example:8080",
            "dev.localhost:9090",
            "a.b.localhost:8080",
            "-x.localhost:8080",
            ".localhost:8080",
            "127.0.0.1:9999",
            "dev.localhost:80x",
            "www.localhost:8080",
        ] {
            assert_eq!(o.classify(host), HostKind::Unknown, "{host:?}");
        }
    }

    #[test]
    fn behind_a_tls_proxy_ports_are_the_schemes_defaults() {
        let o = Origins::new(
            "https://redstage.example.com",
            "https://{label}.nr.example.com",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.instance_origin("prod"), "https://prod.nr.example.com");
        assert_eq!(
            o.classify("prod.nr.example.com"),
            HostKind::Instance("prod".into())
        );
        assert_eq!(
            o.classify("prod.nr.example.com:443"),
            HostKind::Instance("prod".into())
        );
        assert_eq!(o.classify("redstage.example.com"), HostKind::Platform);
        assert!(o.is_platform_origin("https://redstage.example.com"));
        assert!(!o.is_platform_origin("https://prod.nr.example.com"));
        assert!(o.is_instance_origin("https://prod.nr.example.com", "prod"));
    }

    #[test]
    fn unusable_templates_are_refused() {
        for template in [
            "http://nr.example.com",
            "ftp://{label}.x",
            "http://x{label}.y",
            "http://{label}.x/path",
        ] {
            assert!(
                Origins::new("http://127.0.0.1:8080", template).is_err(),
                "{template}"
            );
        }
        assert!(Origins::new("not a url", "http://{label}.x").is_err());
    }
}
